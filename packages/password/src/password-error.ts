/**
 * Errors thrown by `@city/password`.
 *
 * Codes are stable; messages about stored hashes are fixed and generic so that a log line never
 * echoes hash material back.
 */
import { CityError } from '@city/errors';

/**
 * Any deliberate failure of `@city/password`. Codes: `PASSWORD_TOO_LONG`, `PASSWORD_HASH_MALFORMED`,
 * `PASSWORD_HASH_UNSUPPORTED`, `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * try { await verifyPassword(stored, input); }
 * catch (err) { if (err instanceof PasswordError && err.code === 'PASSWORD_HASH_MALFORMED') { ... } }
 * ```
 */
export class PasswordError extends CityError {}

/**
 * A password rejected by the NIST SP 800-63B policy. Codes: `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`,
 * `PASSWORD_TOO_COMMON`, `PASSWORD_CONTAINS_IDENTIFIER`.
 *
 * @example
 * ```ts
 * try { assertPasswordPolicy(input); }
 * catch (err) { if (err instanceof PasswordPolicyError) reply(400, err.code); }
 * ```
 */
export class PasswordPolicyError extends PasswordError {}
