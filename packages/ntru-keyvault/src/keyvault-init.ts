/**
 * CLI hook `keyvault init`: KEM key pair + master key + capsule. Returns data; never prints.
 *
 * All or nothing: an existing vault is refused before anything is written; the private key file is
 * created (exclusively) before the capsule, and removed again when the capsule cannot be written. So
 * a failure leaves neither a capsule whose key is lost nor a stray key, and a retry starts clean.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { CapsuleStore } from './capsule-store.js';
import { formatKemPrivateKeyPem } from './format-kem-private-key-pem.js';
import { generateKemKeyPair } from './generate-kem-key-pair.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { keyvaultStatus } from './keyvault-status.js';

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
 * @throws KeyVaultError `KEYVAULT_EXISTS`, `KEM_ALGORITHM_UNSUPPORTED`, `INVALID_ARGUMENT` (also when
 *   `privateKeyFile` exists already — never overwritten — or cannot be written: the message names the
 *   path, `cause` is the file system error); the store's errors when the capsule cannot be written
 *   (nothing is left behind in either case).
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
  const { store } = options;
  if ((await keyvaultStatus({ store })).initialised) {
    throw new KeyVaultError('KEYVAULT_EXISTS', `a key vault already exists in ${store.describe()}`);
  }
  const kemKeyPair = await generateKemKeyPair(options.algorithm);
  const pem = formatKemPrivateKeyPem(kemKeyPair.privateKey);
  const keyFile = options.privateKeyFile;
  if (keyFile !== undefined) {
    try {
      await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      // A partly written new file is ours to remove; an existing one (EEXIST) is not.
      if (code !== 'EEXIST') await rm(keyFile, { force: true }).catch(() => {});
      throw new KeyVaultError(
        'INVALID_ARGUMENT',
        code === 'EEXIST'
          ? `"privateKeyFile" ${keyFile} exists already and is never overwritten`
          : `"privateKeyFile" ${keyFile} cannot be written (${code})`,
        { cause },
      );
    }
  }
  let vault: KeyVault;
  try {
    ({ vault } = await KeyVault.init({
      store,
      kemKeyPair,
      ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
      ...(options.now === undefined ? {} : { now: options.now }),
    }));
  } catch (error) {
    if (keyFile !== undefined) await rm(keyFile, { force: true });
    throw error;
  }
  const status = vault.status();
  const base = {
    algorithm: status.algorithm,
    keyId: status.keyId,
    publicKey: kemKeyPair.publicKey,
    createdAt: status.createdAt,
    store: status.store,
  };
  if (keyFile !== undefined) return { ...base, privateKeyFile: keyFile };
  return { ...base, privateKeyPem: pem };
}
