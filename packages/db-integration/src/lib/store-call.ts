/**
 * Internal: maps engine failures to the port errors. A failed condition is reported to the
 * caller (it decides between ConflictError and a consume failure); everything else that
 * escapes the SDK's retries — missing tables, refused connections, timeouts, throttling —
 * becomes `StoreUnavailableError`, so use cases never see an AWS error type.
 */
import { isCityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';

/** True for DynamoDB's `ConditionalCheckFailedException`. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs `operation`; condition failures pass through untouched, other failures become StoreUnavailableError. */
export async function storeCall<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isConditionFailed(error) || isCityError(error)) throw error;
    throw new StoreUnavailableError(`the data store is unavailable (${what})`, { cause: error });
  }
}
