/**
 * Errors the `city` command raises itself (usage problems, local files, profiles), as CityErrors so
 * they print and map to exit codes exactly like the service's own errors.
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/** Codes a {@link CliError} can carry, with what each means. */
export const CLI_ERROR_CODES = {
  USAGE_ERROR: 'The command line is wrong: unknown option, missing argument or missing input.',
  FILE_NOT_FOUND: 'A file named on the command line cannot be read.',
  FILE_EXISTS: 'The output file exists already and is never overwritten.',
  FILE_NOT_WRITABLE: 'A file or directory named on the command line cannot be written.',
  PROFILE_EXISTS: 'The profile already holds a device; pass --force or choose another --profile.',
  PROFILE_NOT_FOUND:
    'The profile holds no registered device; run `city register` or `city pair accept` first.',
  NOT_LOGGED_IN: 'The profile holds no session; run `city login` first.',
  PASSWORD_MISMATCH: 'The two passwords typed differ.',
  INPUT_INVALID: 'A value given on the command line or in a file is malformed.',
  KEYVAULT_CHECK_FAILED: 'The KEM private key does not open the key vault.',
  JWT_KEYS_PENDING:
    'A changed JWT key set (jwt-keys.json) already waits for the next start; restart the service first.',
  JWT_KEY_UNKNOWN: 'No JWT signing key with this kid is in the key set.',
  JWT_KEY_ACTIVE: 'The active JWT signing key cannot be retired; rotate to a new key first.',
  SERVICE_UNAVAILABLE: 'The API cannot be reached.',
  API_ADDRESS_INVALID:
    'The API address cannot be used: its host name does not resolve, or TLS fails (https to a plain HTTP port, an untrusted or mismatched certificate).',
  RATE_LIMITED: 'The API refused the request for now (HTTP 429); retry after the time given.',
  API_ERROR: 'The API answered with an error the command does not know.',
} as const;

/** One of {@link CLI_ERROR_CODES}. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/**
 * An error of the command itself.
 *
 * @throws never
 * @example
 * ```ts
 * throw new CliError('USAGE_ERROR', 'missing --username (stdin is not a terminal)');
 * ```
 */
export class CliError extends CityError {
  declare readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message?: string, options: CityErrorOptions = {}) {
    super(code, message ?? CLI_ERROR_CODES[code], options);
  }
}
