/**
 * The error the MongoDB adapter throws for values it refuses to put into a query or a
 * document. Every filter value must be a primitive of the expected type: an object where a
 * string belongs (`{ $ne: null }`) is the classic NoSQL operator injection, and keys starting
 * with `$` or containing `.`, or NUL characters, are rejected by MongoDB-compatible servers
 * (FerretDB) or change the meaning of an update.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/**
 * A value given to a MongoDB store has the wrong type or a forbidden shape (`INVALID_ARGUMENT`).
 *
 * @throws never (this is the error type itself)
 * @example
 * ```ts
 * try { await stores.users.getByUsernameKey(input as string); }
 * catch (err) { if (err instanceof MongoInputError) reply(400); }
 * ```
 */
export class MongoInputError extends CityError {
  /** The parameter (or record field) that was refused. */
  readonly parameter: string;
  constructor(parameter: string, message: string, options: CityErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
    this.parameter = parameter;
  }
}
