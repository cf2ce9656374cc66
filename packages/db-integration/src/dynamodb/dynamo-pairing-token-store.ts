/** PairingTokenStore on DynamoDB: one item per token hash, TTL `ttl`, one-time consume. */
import type { ConsumeResult, PairingTokenRecord, PairingTokenStore } from '@city/ports';
import type { DynamoContext } from './_context.js';
import { OneTimeItems } from './_one-time-items.js';

export class DynamoPairingTokenStore implements PairingTokenStore {
  private readonly items: OneTimeItems<PairingTokenRecord>;

  constructor(ctx: DynamoContext) {
    this.items = new OneTimeItems<PairingTokenRecord>(ctx, ctx.tables.pairingTokens, 'tokenHash', [
      'tokenHash',
      'userUuid',
      'parentDeviceId',
      'deviceLabel',
      'createdAt',
      'expiresAt',
    ]);
  }

  create(token: PairingTokenRecord): Promise<void> {
    return this.items.create(token);
  }

  get(tokenHash: string): Promise<PairingTokenRecord | undefined> {
    return this.items.get(tokenHash);
  }

  consume(tokenHash: string, now: number): Promise<ConsumeResult<PairingTokenRecord>> {
    return this.items.consume(tokenHash, now);
  }
}
