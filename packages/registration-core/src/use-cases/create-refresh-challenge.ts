/**
 * Refresh challenges for the refresh proof of possession: the same single-use server nonce as a
 * login challenge (same store, same TTL), but the string the device signs names the refresh
 * purpose, so a signature made for a login can never pass as a refresh proof, nor the reverse.
 */
import type { RefreshChallenge } from '../auth-service.js';
import { RefreshChallengeInputSchema } from '../contracts/refresh-input-schema.js';
import type { ServiceContext } from '../lib/_service-context.js';
import { readEmptyInput } from '../validation/read-empty-input.js';
import { issueChallenge } from './create-login-challenge.js';

/** The exact string a device signs to prove possession of its key when refreshing. */
export function refreshChallengeString(audience: string, challengeId: string, nonce: string): string {
  return `city-auth-refresh:v1:${audience}:${challengeId}:${nonce}`;
}

export async function createRefreshChallenge(ctx: ServiceContext, input: unknown): Promise<RefreshChallenge> {
  readEmptyInput(input, RefreshChallengeInputSchema);
  return issueChallenge(ctx, refreshChallengeString);
}
