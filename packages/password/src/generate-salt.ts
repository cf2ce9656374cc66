/** Random salts from the operating system's CSPRNG (node:crypto randomBytes), as the legacy API had. */
import { randomBytes } from 'node:crypto';
import { assertIntegerInRange } from './lib/_guards.js';

/**
 * Returns `bytes` random bytes (default 16, the RFC 9106 recommendation).
 *
 * @throws PasswordError `INVALID_ARGUMENT` when `bytes` is not an integer in 1..1024.
 * @example
 * ```ts
 * const salt = generateSalt(); // Uint8Array(16)
 * ```
 */
export function generateSalt(bytes = 16): Uint8Array {
  assertIntegerInRange(bytes, 'bytes', 1, 1024);
  return new Uint8Array(randomBytes(bytes));
}
