/**
 * The errors the use cases throw, each with a stable `code`.
 *
 * The HTTP API maps every code in {@link AUTH_ERROR_CODES} to a status and a localised message
 * in one table; a test there fails when a code here is not mapped. Messages are for people and
 * deliberately generic where precision would help an attacker (credentials, tokens): the precise
 * reason goes to the audit log instead.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/**
 * Every code an {@link AuthError} (or a store error passed through) can carry, with a one-line
 * English description. Stable: codes are only ever added.
 */
export const AUTH_ERROR_CODES = {
  VALIDATION_FAILED:
    'The input is invalid; `fields` lists each bad field with its own code (see FIELD_ISSUE_CODES).',
  USERNAME_TAKEN: 'The username is already registered.',
  EMAIL_TAKEN: 'The email address is already registered.',
  MYNUMBER_TAKEN: 'The My Number (個人番号) is already registered.',
  INVALID_CREDENTIALS: 'Identifier, password or device proof is wrong (deliberately not saying which).',
  ACCOUNT_LOCKED:
    'Too many failed logins for this identifier; retry after `retryAfterSeconds` (given for unknown identifiers too).',
  TOO_MANY_ATTEMPTS: 'Too many failed attempts from this address; retry after `retryAfterSeconds`.',
  PROOF_MODE_DISABLED: 'The requested device proof mode is not enabled on this server.',
  CHALLENGE_INVALID: 'The login or refresh challenge is unknown, expired or already used; request a new one.',
  CLIENT_CERTIFICATE_REQUIRED:
    'mTLS proof was requested but the TLS connection carried no verified client certificate.',
  AUTHENTICATION_REQUIRED: 'No access token was presented.',
  TOKEN_INVALID: 'The token is malformed, wrongly signed, of the wrong type or for another audience.',
  TOKEN_EXPIRED: 'The token has expired.',
  TOKEN_REVOKED: 'The token, its session, its device or its user has been revoked or disabled.',
  REFRESH_TOKEN_REUSED: 'A rotated refresh token was presented again; the whole session has been revoked.',
  PAIRING_CREDENTIALS_REQUIRED:
    'Registering a device with a pairing token also requires username and password.',
  PAIRING_TOKEN_INVALID: 'The pairing token is unknown or belongs to another account.',
  PAIRING_TOKEN_EXPIRED: 'The pairing token has expired; request a new one.',
  PAIRING_TOKEN_USED: 'The pairing token has already been used.',
  DEVICE_NOT_FOUND: 'No such device for this account.',
  LAST_DEVICE_CONFIRMATION_REQUIRED:
    "This is the account's last active device: revoking it leaves no way to log in. Confirm explicitly (`confirmLastDevice`); afterwards only an operator's enrolment token (`resetDevices`) adds a device.",
  CERTIFICATE_REQUEST_INVALID:
    'The certificate signing request (CSR) is malformed or its signature is invalid.',
  KEY_ALGORITHM_UNSUPPORTED: 'The requested key algorithm is not supported.',
  USER_NOT_FOUND: 'No such user.',
  FORBIDDEN: 'The authenticated user lacks the permission for this operation.',
  CONCURRENT_UPDATE: 'The record changed concurrently; retry the operation.',
  SERVICE_CLIENT_INVALID: 'The service client id or secret is wrong (deliberately not saying which).',
  SERVICE_CLIENT_EXISTS: 'A service with this client id is already registered.',
  SERVICE_CLIENT_NOT_FOUND: 'No service with this client id is registered.',
  SERVICE_CLIENTS_UNSUPPORTED:
    "This deployment's store does not keep service clients (use the embedded SQLite store).",
  STORE_UNAVAILABLE:
    'The data store is unreachable; retry after `retryAfterSeconds` (thrown as StoreUnavailableError from @city/ports).',
} as const;

/** One of the codes in {@link AUTH_ERROR_CODES}. */
export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

/**
 * Codes used inside `VALIDATION_FAILED` errors, one per field problem. Password policy
 * codes (`PASSWORD_TOO_SHORT`, ...) from @city/password appear on the `password` field as is.
 */
export const FIELD_ISSUE_CODES = {
  REQUIRED: 'The field is missing, null or empty.',
  UNKNOWN_FIELD: 'The field is not accepted by this operation.',
  INVALID_TYPE: 'Wrong JSON type (objects and arrays such as {"$gt": ""} are never accepted for scalars).',
  INVALID_FORMAT: 'The value does not have the required format.',
  INVALID_CHARACTER: 'The value contains a character that is not allowed (control characters, NUL, ...).',
  TOO_SHORT: 'The value is shorter than the minimum.',
  TOO_LONG: 'The value is longer than the maximum.',
  OUT_OF_RANGE: 'The value is outside the allowed range (dates in the future, negative numbers, ...).',
  CHECK_DIGIT_MISMATCH: 'The check digit of the number is wrong (My Number).',
  CONFLICTING_FIELDS: 'Mutually exclusive fields were given together.',
  PASSWORD_TOO_SHORT: 'The password has fewer than 8 characters.',
  PASSWORD_TOO_LONG: 'The password has more than 128 characters or 1024 bytes.',
  PASSWORD_TOO_COMMON: 'The password is in the list of common passwords.',
  PASSWORD_CONTAINS_IDENTIFIER: 'The password contains the username or email.',
} as const;

/** One of the codes in {@link FIELD_ISSUE_CODES}. */
export type FieldIssueCode = keyof typeof FIELD_ISSUE_CODES;

/**
 * The error every use case throws on purpose.
 *
 * @example
 * ```ts
 * try { await auth.login(body, ctx); } catch (e) {
 *   if (e instanceof AuthError && e.code === 'ACCOUNT_LOCKED') retryLater(e.retryAfterSeconds);
 * }
 * ```
 */
export class AuthError extends CityError {
  declare readonly code: AuthErrorCode;

  /**
   * @param code - a code from {@link AUTH_ERROR_CODES}
   * @param message - human message; defaults to the code's description
   * @throws never
   */
  constructor(code: AuthErrorCode, message?: string, options: CityErrorOptions = {}) {
    super(code, message ?? AUTH_ERROR_CODES[code], options);
  }
}
