/**
 * MongoDB client-side field level encryption (CSFLE) options with the `local` KMS provider, whose
 * 96-byte key is the vault's master key (MongoDB manual, "Local Key Provider").
 */
import type { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';

/** Options for MongoClient `autoEncryption` / ClientEncryption. */
export interface CsfleOptions {
  readonly keyVaultNamespace: string;
  readonly kmsProviders: { readonly local: { readonly key: Buffer } };
}

export function assertNamespace(value: unknown, name = 'keyVaultNamespace'): string {
  if (typeof value !== 'string' || !/^[^.$\s/\\"]+\.[^$\s]+$/.test(value) || value.length > 255) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"${name}" expected "<database>.<collection>"`);
  }
  return value;
}

/**
 * Build `{ keyVaultNamespace, kmsProviders: { local: { key } } }` from the vault's master key.
 * Does not need the native module; passing the result to the driver does.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for a bad namespace or vault.
 * @example
 * ```ts
 * const client = new MongoClient(uri, { autoEncryption: csfleOptions(vault, { keyVaultNamespace: 'encryption.__keyVault' }) });
 * ```
 */
export function csfleOptions(vault: KeyVault, options: { keyVaultNamespace: string }): CsfleOptions {
  if (typeof vault !== 'object' || vault === null || !(vault.masterKey instanceof Uint8Array)) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"vault" expected a KeyVault');
  }
  const keyVaultNamespace = assertNamespace(options?.keyVaultNamespace);
  return { keyVaultNamespace, kmsProviders: { local: { key: Buffer.from(vault.masterKey) } } };
}
