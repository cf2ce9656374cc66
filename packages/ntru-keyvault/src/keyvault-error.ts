/**
 * The one error class of `@city/ntru-keyvault`. Codes are stable; messages for crypto failures are
 * fixed and generic so that they never tell an attacker which check failed.
 */
import { CityError } from '@city/errors';

/** Every code a {@link KeyVaultError} can carry. */
export type KeyVaultErrorCode =
  | 'KEYVAULT_EXISTS'
  | 'KEYVAULT_NOT_INITIALISED'
  | 'KEYVAULT_UNWRAP_FAILED'
  | 'CAPSULE_MALFORMED'
  | 'CAPSULE_UNSUPPORTED_VERSION'
  | 'KEM_ALGORITHM_UNSUPPORTED'
  | 'KEY_MALFORMED'
  | 'FIELD_DECRYPT_FAILED'
  | 'CSFLE_UNAVAILABLE'
  | 'INVALID_ARGUMENT';

/**
 * Error thrown by every function of this package on purpose.
 *
 * @throws never (it is the thrown value)
 * @example
 * ```ts
 * try { await unwrapKey(capsule, privateKey); }
 * catch (err) { if (err instanceof KeyVaultError && err.code === 'KEYVAULT_UNWRAP_FAILED') rotateOrAlert(); }
 * ```
 */
export class KeyVaultError extends CityError {
  declare readonly code: KeyVaultErrorCode;
}
