/**
 * Errors raised by the HTTP layer itself (rate limits, unknown routes), carrying a code from
 * the API's part of the error registry.
 */
import { CityError, type CityErrorOptions } from '@city/errors';
import type { ApiOwnErrorCode } from './error-registry.js';

/**
 * An error the HTTP layer raises; the error handler answers it from the registry.
 *
 * @example
 * ```ts
 * throw new ApiError('RATE_LIMITED', 'rate limit exceeded', { retryAfterSeconds: 30 });
 * ```
 */
export class ApiError extends CityError {
  declare readonly code: ApiOwnErrorCode;
  /**
   * @throws never
   */
  constructor(code: ApiOwnErrorCode, message: string, options: CityErrorOptions = {}) {
    super(code, message, options);
  }
}
