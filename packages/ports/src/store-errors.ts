/**
 * Errors every store adapter maps its engine's failures to, so that use cases never see
 * an AWS or MongoDB error type.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/** A uniqueness or one-time-use condition failed (`CONFLICT`). `field` names what clashed. */
export class ConflictError extends CityError {
  /** The unique attribute that clashed (`username`, `email`, `mynumber`, `fingerprint`, `generation`...). */
  readonly field: string;
  constructor(field: string, message = `${field} already exists`, options: CityErrorOptions = {}) {
    super('CONFLICT', message, options);
    this.field = field;
  }
}

/** The record addressed does not exist (`NOT_FOUND`). */
export class NotFoundError extends CityError {
  constructor(message = 'record not found', options: CityErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** The storage or messaging engine cannot be reached or refused after retries (`STORE_UNAVAILABLE`). */
export class StoreUnavailableError extends CityError {
  constructor(message = 'the data store is unavailable', options: CityErrorOptions = {}) {
    super('STORE_UNAVAILABLE', message, { retryAfterSeconds: 5, ...options });
  }
}

/**
 * A page cursor the store did not hand out (forged, truncated, from another listing):
 * `INVALID_CURSOR`. The caller's input, not an engine fault.
 */
export class InvalidCursorError extends CityError {
  constructor(
    message = '"cursor" is not a cursor returned by a previous page',
    options: CityErrorOptions = {},
  ) {
    super('INVALID_CURSOR', message, options);
  }
}
