/** CLI hook `keyvault init`: KEM key pair + master key + capsule. Returns data; never prints. */
import { writeFile } from 'node:fs/promises';
import type { CapsuleStore } from './capsule-store.js';
import { formatKemPrivateKeyPem } from './format-kem-private-key-pem.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { KeyVault } from './key-vault.js';

/** Result of {@link keyvaultInit}. Holds the private key PEM only when no `privateKeyFile` was given. */
export interface KeyvaultInitResult {
  readonly algorithm: KemAlgorithm;
  readonly keyId: string;
  readonly publicKey: string;
  readonly createdAt: Date;
  readonly store: string;
  /** Where the private key was written (0600), when `privateKeyFile` was given. */
  readonly privateKeyFile?: string;
  /** The private key in PEM armour, when it was not written to a file: show once, store offline. */
  readonly privateKeyPem?: string;
}

/**
 * Initialise a key vault in `store`.
 *
 * @throws KeyVaultError `KEYVAULT_EXISTS`, `KEM_ALGORITHM_UNSUPPORTED`, `INVALID_ARGUMENT`; file errors when
 *   `privateKeyFile` exists already (never overwritten).
 * @example
 * ```ts
 * const result = await keyvaultInit({ store, algorithm: 'ntru-hrss-701', privateKeyFile: 'kem.key' });
 * ```
 */
export async function keyvaultInit(options: {
  store: CapsuleStore;
  algorithm?: KemAlgorithm;
  privateKeyFile?: string;
  now?: Date;
}): Promise<KeyvaultInitResult> {
  const { vault, kemKeyPair } = await KeyVault.init({
    store: options?.store,
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const pem = formatKemPrivateKeyPem(kemKeyPair.privateKey);
  const status = vault.status();
  const base = {
    algorithm: status.algorithm,
    keyId: status.keyId,
    publicKey: kemKeyPair.publicKey,
    createdAt: status.createdAt,
    store: status.store,
  };
  if (options.privateKeyFile !== undefined) {
    await writeFile(options.privateKeyFile, pem, { mode: 0o600, flag: 'wx' });
    return { ...base, privateKeyFile: options.privateKeyFile };
  }
  return { ...base, privateKeyPem: pem };
}
