/** CLI hook `keyvault unwrap --check`: proves the private key opens the vault, without revealing anything. */

import { isCityError } from '@city/errors';
import type { CapsuleStore } from './capsule-store.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { KeyVault } from './key-vault.js';

/** Result of {@link keyvaultUnwrapCheck}. */
export type KeyvaultUnwrapCheckResult =
  | {
      readonly ok: true;
      readonly algorithm: KemAlgorithm;
      readonly keyId: string;
      readonly createdAt: Date;
      readonly store: string;
      readonly masterKeyBytes: number;
    }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly store: string };

/**
 * Try to open the vault; report `ok` or the error code. Unexpected (non-vault) errors still throw.
 *
 * @throws Error only for store failures that are not KeyVaultErrors.
 * @example
 * ```ts
 * const { ok } = await keyvaultUnwrapCheck({ store, privateKey });
 * process.exitCode = ok ? 0 : 1;
 * ```
 */
export async function keyvaultUnwrapCheck(options: {
  store: CapsuleStore;
  privateKey: string;
}): Promise<KeyvaultUnwrapCheckResult> {
  try {
    const vault = await KeyVault.open({ store: options?.store, privateKey: options?.privateKey });
    return { ok: true, ...vault.status(), masterKeyBytes: vault.masterKey.length };
  } catch (error) {
    if (isCityError(error)) {
      const store = typeof options?.store?.describe === 'function' ? options.store.describe() : 'unknown';
      return { ok: false, code: error.code, message: error.message, store };
    }
    throw error;
  }
}
