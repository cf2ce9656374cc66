/**
 * Login challenges for the signature proof: a 256-bit server nonce, single use, 2-minute TTL.
 * The string the device signs names its purpose and audience so a signature cannot be replayed
 * into another protocol or deployment.
 */
import type { LoginChallenge } from '../auth-service.js';
import { LoginChallengeInputSchema } from '../contracts/login-input-schema.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { iso, randomToken, type ServiceContext } from '../lib/_service-context.js';
import { readEmptyInput } from '../validation/read-empty-input.js';

export function challengeString(audience: string, challengeId: string, nonce: string): string {
  return `city-auth-login:v1:${audience}:${challengeId}:${nonce}`;
}

export async function createLoginChallenge(ctx: ServiceContext, input: unknown): Promise<LoginChallenge> {
  readEmptyInput(input, LoginChallengeInputSchema);
  return issueChallenge(ctx, challengeString);
}

/** A stored single-use nonce, presented as the string `text` builds (its purpose is in that string). */
export async function issueChallenge(
  ctx: ServiceContext,
  text: (audience: string, challengeId: string, nonce: string) => string,
): Promise<LoginChallenge> {
  const now = ctx.clock.now();
  const challengeId = ctx.random.uuid();
  const nonce = randomToken(ctx, 32);
  const expiresAt = now + ctx.config.challengeTtlSeconds * 1000;
  try {
    await ctx.stores.challenges.create({ challengeId, nonce, createdAt: now, expiresAt });
  } catch (error) {
    // Only a random uuid collision could clash: retryable, never a 500.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  return {
    challengeId,
    challenge: text(ctx.config.audience, challengeId, nonce),
    expiresAt: iso(expiresAt),
  };
}
