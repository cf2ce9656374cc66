/**
 * CounterStore on DynamoDB: one item per key. An increment is an atomic `ADD` conditional on
 * the window still being open; when it has closed, a conditional `SET count = 1` restarts it
 * (conditional on the window still being the closed one, so concurrent restarts give one
 * new window and every increment is counted exactly once).
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type CounterState, type CounterStore, StoreUnavailableError } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, ttlSeconds } from './_context.js';

const toState = (item: Record<string, unknown>): CounterState => {
  const state: { count: number; windowStart: number; lockedUntil?: number } = {
    count: typeof item.count === 'number' ? item.count : 0,
    windowStart: typeof item.windowStart === 'number' ? item.windowStart : 0,
  };
  if (typeof item.lockedUntil === 'number') state.lockedUntil = item.lockedUntil;
  return state;
};

export class DynamoCounterStore implements CounterStore {
  constructor(private readonly ctx: DynamoContext) {}

  async increment(key: string, now: number, windowMs: number): Promise<CounterState> {
    // Items outlive their window by a day (TTL only reclaims space; reads never depend on it).
    const values = {
      ':one': 1,
      ':now': now,
      ':cutoff': now - windowMs,
      ':ttl': ttlSeconds(now + windowMs) + 86_400,
    };
    for (let attempt = 0; attempt < 8; attempt += 1) {
      try {
        const out = await storeCall('increment counter', () =>
          this.ctx.doc.send(
            new UpdateCommand({
              TableName: this.ctx.tables.counters,
              Key: { counterKey: key },
              UpdateExpression:
                'SET #windowStart = if_not_exists(#windowStart, :now), #ttl = :ttl ADD #count :one',
              ConditionExpression: 'attribute_not_exists(#windowStart) OR #windowStart > :cutoff',
              ExpressionAttributeNames: names('windowStart', 'count', 'ttl'),
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return toState(out.Attributes ?? {});
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      try {
        const out = await storeCall('restart counter window', () =>
          this.ctx.doc.send(
            new UpdateCommand({
              TableName: this.ctx.tables.counters,
              Key: { counterKey: key },
              UpdateExpression: 'SET #windowStart = :now, #count = :one, #ttl = :ttl',
              ConditionExpression: '#windowStart <= :cutoff',
              ExpressionAttributeNames: names('windowStart', 'count', 'ttl'),
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return toState(out.Attributes ?? {});
      } catch (error) {
        // Another caller restarted the window first: count in the new window.
        if (!isConditionFailed(error)) throw error;
      }
    }
    throw new StoreUnavailableError(`counter ${key} kept changing during increment`);
  }

  async get(key: string, _now: number): Promise<CounterState | undefined> {
    const out = await storeCall('read counter', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.counters,
          Key: { counterKey: key },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : toState(out.Item);
  }

  async lock(key: string, until: number): Promise<void> {
    await storeCall('lock counter', () =>
      this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tables.counters,
          Key: { counterKey: key },
          UpdateExpression: 'SET #lockedUntil = :until, #ttl = :ttl',
          ExpressionAttributeNames: names('lockedUntil', 'ttl'),
          ExpressionAttributeValues: { ':until': until, ':ttl': ttlSeconds(until) + 86_400 },
        }),
      ),
    );
  }

  async reset(key: string): Promise<void> {
    await storeCall('reset counter', () =>
      this.ctx.doc.send(new DeleteCommand({ TableName: this.ctx.tables.counters, Key: { counterKey: key } })),
    );
  }
}
