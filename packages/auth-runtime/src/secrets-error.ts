/**
 * Why a deployment's secrets cannot be used at start-up. The process refuses to start rather
 * than create keys the existing data was not written with, or open data with the wrong ones.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/** Stable codes of {@link SecretsError}. */
export type SecretsErrorCode =
  /** A secret the data needs is not there (root key, key vault, CA or JWT keys), and this start may not create it. */
  | 'SECRETS_MISSING'
  /** This instance's secrets differ from the ones the data in the store (or the key vault) was written with. */
  | 'SECRETS_MISMATCH'
  /** Another process holds the creation lock of the secrets directory for longer than the wait. */
  | 'SECRETS_LOCKED'
  /** A secret is there but cannot be read or parsed. */
  | 'SECRETS_UNREADABLE';

/**
 * A start-up failure of the secrets; the message names what is missing or mismatched and where.
 *
 * @throws never (this is the error type itself)
 * @example
 * ```ts
 * try { await openEmbeddedAuth({ dataDir }); }
 * catch (error) { if (error instanceof SecretsError) console.error(error.code, error.message); }
 * ```
 */
export class SecretsError extends CityError {
  declare readonly code: SecretsErrorCode;
  constructor(code: SecretsErrorCode, message: string, options: CityErrorOptions = {}) {
    super(code, message, options);
  }
}
