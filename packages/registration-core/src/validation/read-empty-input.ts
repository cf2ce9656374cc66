/** Validation of the bodies that must be empty (or omitted): the challenge requests. */
import type { TObject } from 'typebox';
import { InputReader } from './_input-reader.js';

/**
 * Refuses any field in an optional, empty body.
 *
 * @throws AuthError `VALIDATION_FAILED` (`UNKNOWN_FIELD` per field, or a body that is not an object)
 * @example
 * ```ts
 * readEmptyInput(undefined, LoginChallengeInputSchema);
 * ```
 */
export function readEmptyInput(input: unknown, contract: TObject): void {
  new InputReader(input, contract, { optionalBody: true }).finish();
}
