/** CLI hook `keyvault rotate-kem`: new KEM key pair, same master key, data untouched. */
import { writeFile } from 'node:fs/promises';
import type { CapsuleStore } from './capsule-store.js';
import { formatKemPrivateKeyPem } from './format-kem-private-key-pem.js';
import { generateKemKeyPair } from './generate-kem-key-pair.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { KeyVault } from './key-vault.js';

/** Result of {@link keyvaultRotateKem}. */
export interface KeyvaultRotateKemResult {
  readonly previous: { readonly algorithm: KemAlgorithm; readonly keyId: string };
  readonly current: { readonly algorithm: KemAlgorithm; readonly keyId: string; readonly createdAt: Date };
  readonly publicKey: string;
  readonly store: string;
  readonly privateKeyFile?: string;
  readonly privateKeyPem?: string;
}

/**
 * Re-wrap the master key to a freshly generated KEM key pair (default: same algorithm as before).
 *
 * @throws KeyVaultError as {@link KeyVault.open}; file errors when `newPrivateKeyFile` exists already.
 * @example
 * ```ts
 * const result = await keyvaultRotateKem({ store, privateKey, algorithm: 'x25519+ml-kem-768', newPrivateKeyFile: 'kem.next.key' });
 * ```
 */
export async function keyvaultRotateKem(options: {
  store: CapsuleStore;
  privateKey: string;
  algorithm?: KemAlgorithm;
  newPrivateKeyFile?: string;
  now?: Date;
}): Promise<KeyvaultRotateKemResult> {
  const vault = await KeyVault.open({ store: options?.store, privateKey: options.privateKey });
  const before = vault.status();
  const next = await generateKemKeyPair(options.algorithm ?? before.algorithm);
  const pem = formatKemPrivateKeyPem(next.privateKey);
  // Write the new key first: a rotation whose key was lost would lock the vault.
  if (options.newPrivateKeyFile !== undefined) {
    await writeFile(options.newPrivateKeyFile, pem, { mode: 0o600, flag: 'wx' });
  }
  await vault.rotateKem(next, options.now === undefined ? {} : { now: options.now });
  const after = vault.status();
  const result = {
    previous: { algorithm: before.algorithm, keyId: before.keyId },
    current: { algorithm: after.algorithm, keyId: after.keyId, createdAt: after.createdAt },
    publicKey: next.publicKey,
    store: after.store,
  };
  return options.newPrivateKeyFile !== undefined
    ? { ...result, privateKeyFile: options.newPrivateKeyFile }
    : { ...result, privateKeyPem: pem };
}
