/**
 * Internal: one-time items (pairing tokens, login challenges). Consuming is ONE conditional
 * UpdateItem — `attribute_exists(key) AND attribute_not_exists(usedAt) AND expiresAt >= now`
 * — so of N concurrent consumers exactly one wins, and an expired item is never marked used.
 * A failed condition is classified afterwards by a consistent read.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, type ConsumeResult } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick, ttlSeconds } from './_context.js';
import { putNewItem } from './_put-new-item.js';

export class OneTimeItems<T extends { readonly expiresAt: number }> {
  constructor(
    private readonly ctx: DynamoContext,
    private readonly table: string,
    private readonly keyName: keyof T & string,
    private readonly fields: readonly (keyof T & string)[],
  ) {}

  async create(record: T): Promise<void> {
    const key = (record as Record<string, unknown>)[this.keyName];
    const outcome = await putNewItem(
      this.ctx,
      `create ${this.keyName}`,
      this.table,
      this.keyName,
      { [this.keyName]: key },
      { ...record, ttl: ttlSeconds(record.expiresAt) },
    );
    if (outcome === 'taken') throw new ConflictError(this.keyName);
  }

  async get(key: string): Promise<T | undefined> {
    const item = await this.read(key);
    return item === undefined ? undefined : pick<T>(item, this.fields);
  }

  private async read(key: string): Promise<Record<string, unknown> | undefined> {
    const out = await storeCall(`read ${this.keyName}`, () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.table, Key: { [this.keyName]: key }, ConsistentRead: true }),
      ),
    );
    return out.Item;
  }

  async consume(key: string, now: number): Promise<ConsumeResult<T>> {
    try {
      const out = await storeCall(`consume ${this.keyName}`, () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { [this.keyName]: key },
            UpdateExpression: 'SET #usedAt = :now',
            ConditionExpression: `attribute_exists(#${this.keyName}) AND attribute_not_exists(#usedAt) AND #expiresAt >= :now`,
            ExpressionAttributeNames: names(this.keyName, 'usedAt', 'expiresAt'),
            ExpressionAttributeValues: { ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { ok: true, record: pick<T>(out.Attributes ?? {}, this.fields) };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const item = await this.read(key);
    if (item === undefined) return { ok: false, reason: 'not_found' };
    // A used token presented again is reported as `used` even after expiry: that is a replay.
    if (item.usedAt !== undefined) return { ok: false, reason: 'used' };
    return { ok: false, reason: 'expired' };
  }
}
