/**
 * The base class of every error a `@city/*` package throws on purpose.
 *
 * Each error carries a stable machine `code` (for example `USERNAME_TAKEN`) that callers
 * branch on and that the HTTP API maps to a status in one table. The `message` is for
 * people and may change; the `code` never does.
 */

/** One invalid input field, as reported by validation errors. */
export interface FieldIssue {
  /** The input field, as the caller named it (`"email"`, `"birth_date"`). */
  readonly field: string;
  /** A stable code for this field's problem (`"INVALID_FORMAT"`, `"REQUIRED"`). */
  readonly code: string;
  /** A human explanation. */
  readonly message: string;
}

/** Options accepted by {@link CityError}. */
export interface CityErrorOptions {
  /** The underlying error, kept for logs; never shown to API clients. */
  readonly cause?: unknown;
  /** Per-field problems, for validation errors. */
  readonly fields?: readonly FieldIssue[];
  /** Seconds after which retrying may succeed (lockouts, unavailable stores). */
  readonly retryAfterSeconds?: number;
}

/**
 * Base class for all deliberate errors in City Chain Auth.
 *
 * @example
 * ```ts
 * class PasswordError extends CityError {}
 * throw new PasswordError('PASSWORD_TOO_LONG', 'password must be at most 1024 bytes');
 * ```
 */
export class CityError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** Per-field problems, when the error is about input validation. */
  readonly fields: readonly FieldIssue[] | undefined;
  /** Seconds after which retrying may succeed. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, message: string, options: CityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * True when `value` is a {@link CityError}, including one thrown by another copy of this
 * package (duplicated installs break `instanceof`, so the check is structural as well).
 *
 * @example
 * ```ts
 * if (isCityError(err) && err.code === 'USERNAME_TAKEN') { ... }
 * ```
 */
export function isCityError(value: unknown): value is CityError {
  if (value instanceof CityError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { isCityError?: unknown }).isCityError === true
  );
}

Object.defineProperty(CityError.prototype, 'isCityError', { value: true, enumerable: false });
