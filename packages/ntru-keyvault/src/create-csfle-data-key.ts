/** Creates a CSFLE data key in the MongoDB key vault collection, wrapped by the local master key. */
import type { Binary, MongoClient } from 'mongodb';
import { assertNamespace, csfleOptions } from './csfle-options.js';
import type { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { loadClientEncryption } from './lib/_load-client-encryption.js';

/** Options of {@link createCsfleDataKey}. */
export interface CreateCsfleDataKeyOptions {
  readonly client: MongoClient;
  readonly vault: KeyVault;
  readonly keyVaultNamespace: string;
  readonly keyAltNames?: readonly string[];
}

/**
 * Create a data key (`local` KMS provider) and return its id (a UUID `Binary`).
 *
 * @throws KeyVaultError `CSFLE_UNAVAILABLE` when mongodb-client-encryption cannot be loaded, `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const dataKeyId = await createCsfleDataKey({ client, vault, keyVaultNamespace: 'encryption.__keyVault', keyAltNames: ['pii'] });
 * ```
 */
export async function createCsfleDataKey(options: CreateCsfleDataKeyOptions): Promise<Binary> {
  assertNamespace(options?.keyVaultNamespace);
  if (
    options.keyAltNames !== undefined &&
    !options.keyAltNames.every((n) => typeof n === 'string' && n !== '')
  ) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"keyAltNames" expected non-empty strings');
  }
  await loadClientEncryption();
  const { ClientEncryption } = await import('mongodb');
  const encryption = new ClientEncryption(
    options.client,
    csfleOptions(options.vault, { keyVaultNamespace: options.keyVaultNamespace }),
  );
  return encryption.createDataKey('local', {
    ...(options.keyAltNames === undefined ? {} : { keyAltNames: [...options.keyAltNames] }),
  });
}
