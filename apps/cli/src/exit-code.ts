/**
 * Exit codes of the `city` command: 0 ok, 1 user error, 2 usage error, 3 service unavailable.
 * Scripts branch on these, so they never change meaning.
 */
import { isCityError } from '@city/errors';

/** The exit codes, by meaning. */
export const EXIT_CODES = {
  OK: 0,
  USER_ERROR: 1,
  USAGE_ERROR: 2,
  SERVICE_UNAVAILABLE: 3,
} as const;

/** Codes after which retrying later may succeed: the service, not the input, is at fault. */
const UNAVAILABLE_CODES = new Set(['STORE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);

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
    if (error.code === 'USAGE_ERROR') return EXIT_CODES.USAGE_ERROR;
    if (UNAVAILABLE_CODES.has(error.code)) return EXIT_CODES.SERVICE_UNAVAILABLE;
  }
  return EXIT_CODES.USER_ERROR;
}
