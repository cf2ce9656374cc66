/** Validation of the refresh body against {@link RefreshInputSchema}. */
import { RefreshInputSchema } from '../contracts/refresh-input-schema.js';
import { InputReader } from './_input-reader.js';

/** A refresh body that passed validation. */
export interface ValidRefresh {
  readonly token: string;
  readonly challengeId?: string | undefined;
  readonly signature?: string | undefined;
}

/**
 * Validates a raw refresh body (the proof fields are checked against the session later).
 *
 * @throws AuthError `VALIDATION_FAILED`
 * @example
 * ```ts
 * validateRefreshInput({ refresh_token: token, challenge_id: id, signature: sig });
 * ```
 */
export function validateRefreshInput(input: unknown): ValidRefresh {
  const reader = new InputReader(input, RefreshInputSchema);
  const token = reader.string('refresh_token');
  const challengeId = reader.string('challenge_id');
  const signature = reader.string('signature');
  reader.finish();
  return { token: token as string, challengeId, signature };
}
