/** CLI hook `keyvault status`: reads the capsule header only, so no private key is needed. */
import type { CapsuleStore } from './capsule-store.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { MASTER_CAPSULE } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { readCapsuleHeader } from './read-capsule-header.js';

/** Result of {@link keyvaultStatus}. */
export type KeyvaultStatusResult =
  | { readonly initialised: false; readonly store: string }
  | {
      readonly initialised: true;
      readonly store: string;
      readonly algorithm: KemAlgorithm;
      readonly keyId: string;
      readonly createdAt: Date;
      readonly capsuleVersion: number;
      readonly capsuleBytes: number;
    };

/**
 * Describe the vault in `store` (algorithm, key id, created-at, location).
 *
 * @throws KeyVaultError `CAPSULE_MALFORMED`, `CAPSULE_UNSUPPORTED_VERSION`, `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const status = await keyvaultStatus({ store });
 * ```
 */
export async function keyvaultStatus(options: { store: CapsuleStore }): Promise<KeyvaultStatusResult> {
  const store = options?.store;
  if (typeof store?.read !== 'function' || typeof store.describe !== 'function') {
    throw new KeyVaultError('INVALID_ARGUMENT', '"store" expected a CapsuleStore (read, write, describe)');
  }
  const capsule = await store.read(MASTER_CAPSULE);
  if (capsule === undefined) return { initialised: false, store: store.describe() };
  const header = readCapsuleHeader(capsule);
  return {
    initialised: true,
    store: store.describe(),
    algorithm: header.algorithm,
    keyId: header.keyId,
    createdAt: header.createdAt,
    capsuleVersion: header.version,
    capsuleBytes: header.byteLength,
  };
}
