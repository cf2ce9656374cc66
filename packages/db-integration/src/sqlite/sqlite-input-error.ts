/**
 * The error the SQLite adapter throws for values it refuses to bind or store. Values are
 * always bound as parameters (never spliced into SQL), so this is about types and shapes: an
 * object where a key belongs, a non-finite timestamp, a role that does not exist. Refusing
 * them up front keeps a caller's bug from being stored (SQLite columns are dynamically typed)
 * or from surfacing as `STORE_UNAVAILABLE`.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/**
 * A value given to a SQLite store has the wrong type or shape (`INVALID_ARGUMENT`).
 *
 * @throws never (this is the error type itself)
 * @example
 * ```ts
 * try { await stores.users.getByUuid(input as string); }
 * catch (err) { if (err instanceof SqliteInputError) reply(400, err.parameter); }
 * ```
 */
export class SqliteInputError extends CityError {
  /** The parameter (or record field) that was refused. */
  readonly parameter: string;
  constructor(parameter: string, message: string, options: CityErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
    this.parameter = parameter;
  }
}
