/**
 * Exit codes of the `city` command: 0 ok, 1 user error, 2 usage or configuration error, 3 service
 * unavailable or rate-limited (retry later), 130 interrupted (Ctrl-C at a prompt).
 * Scripts branch on these, so they never change meaning.
 */
import { isCityError } from '@city/errors';

/** The exit codes, by meaning. */
export const EXIT_CODES = {
  OK: 0,
  USER_ERROR: 1,
  USAGE_ERROR: 2,
  SERVICE_UNAVAILABLE: 3,
  INTERRUPTED: 130,
} as const;

/** Codes after which retrying later may succeed: the service, not the input, is at fault. */
const UNAVAILABLE_CODES = new Set([
  'STORE_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'TOO_MANY_ATTEMPTS',
  'ACCOUNT_LOCKED',
]);

/** Codes that say the command's configuration (the API address, its TLS) is wrong. */
const CONFIG_CODES = new Set(['USAGE_ERROR', 'API_ADDRESS_INVALID']);

/**
 * The exit code for an error that ended a command.
 *
 * @throws never
 * @example
 * ```ts
 * process.exitCode = exitCodeFor(error);
 * ```
 */
export function exitCodeFor(error: unknown): number {
  if (isCityError(error)) {
    if (CONFIG_CODES.has(error.code)) return EXIT_CODES.USAGE_ERROR;
    if (UNAVAILABLE_CODES.has(error.code)) return EXIT_CODES.SERVICE_UNAVAILABLE;
  }
  return EXIT_CODES.USER_ERROR;
}
