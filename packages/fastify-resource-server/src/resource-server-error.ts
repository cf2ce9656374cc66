/**
 * The answers of the plugin. The 401 and 403 codes, statuses, messages and `WWW-Authenticate`
 * headers are the API's own (RFC 6750 §3), so a client cannot tell a resource server's refusal from
 * the API's; `AUTH_SERVER_UNAVAILABLE` is the plugin's own 503 for an issuer it cannot reach
 * (fail closed: no JWKS, no metadata or no introspection answer means no access).
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/**
 * Every code the plugin answers with, its HTTP status and its message.
 *
 * @example `RESOURCE_SERVER_ERRORS.TOKEN_EXPIRED.status // 401`
 */
export const RESOURCE_SERVER_ERRORS = {
  AUTHENTICATION_REQUIRED: {
    status: 401,
    message: 'Authentication is required; send Authorization: Bearer with the access token from POST /login.',
  },
  TOKEN_INVALID: { status: 401, message: 'The token is invalid.' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired.' },
  TOKEN_REVOKED: { status: 401, message: 'The token has been revoked.' },
  FORBIDDEN: { status: 403, message: 'You do not have permission for this operation.' },
  AUTH_SERVER_UNAVAILABLE: {
    status: 503,
    message: 'The authorization server is unavailable; try again later.',
  },
} as const;

/** A stable code of {@link ResourceServerError}. */
export type ResourceServerErrorCode = keyof typeof RESOURCE_SERVER_ERRORS | 'INVALID_ARGUMENT';

/**
 * Thrown for bad plugin options (`INVALID_ARGUMENT`) and by `app.cityAuth.verify`; the route
 * guards answer these codes themselves.
 *
 * @throws never — this is the thrown type itself.
 * @example `if (err instanceof ResourceServerError && err.code === 'TOKEN_EXPIRED') ...`
 */
export class ResourceServerError extends CityError {
  declare readonly code: ResourceServerErrorCode;

  constructor(code: ResourceServerErrorCode, message: string, options?: CityErrorOptions) {
    super(code, message, options);
  }
}
