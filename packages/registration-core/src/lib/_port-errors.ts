/**
 * Deliberate translation of the ports' `ConflictError` / `NotFoundError` into the use cases'
 * own codes. The ports document which call throws which (see @city/ports `ports.ts`); every
 * use case maps each of them here instead of letting an engine-level error reach the caller.
 */
import { ConflictError, NotFoundError } from '@city/ports';
import { AuthError, type AuthErrorCode } from '../auth-error.js';

/** Rethrows a port error as the given AuthError code; anything else unchanged. */
export function rethrowPortError(
  error: unknown,
  codes: { conflict?: AuthErrorCode | undefined; notFound?: AuthErrorCode | undefined },
): never {
  if (error instanceof ConflictError && codes.conflict !== undefined) {
    throw new AuthError(codes.conflict, undefined, { cause: error });
  }
  if (error instanceof NotFoundError && codes.notFound !== undefined) {
    throw new AuthError(codes.notFound, undefined, { cause: error });
  }
  throw error;
}

/** Runs a write whose target may have vanished concurrently (already gone is the goal). */
export async function ignoreNotFound(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
