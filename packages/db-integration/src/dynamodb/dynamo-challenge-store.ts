/** ChallengeStore on DynamoDB: one item per challenge id, TTL `ttl`, one-time consume. */
import type { ChallengeRecord, ChallengeStore, ConsumeResult } from '@city/ports';
import type { DynamoContext } from './_context.js';
import { OneTimeItems } from './_one-time-items.js';

export class DynamoChallengeStore implements ChallengeStore {
  private readonly items: OneTimeItems<ChallengeRecord>;

  constructor(ctx: DynamoContext) {
    this.items = new OneTimeItems<ChallengeRecord>(ctx, ctx.tables.challenges, 'challengeId', [
      'challengeId',
      'nonce',
      'userUuid',
      'createdAt',
      'expiresAt',
    ]);
  }

  create(challenge: ChallengeRecord): Promise<void> {
    return this.items.create(challenge);
  }

  consume(challengeId: string, now: number): Promise<ConsumeResult<ChallengeRecord>> {
    return this.items.consume(challengeId, now);
  }
}
