/**
 * CounterStore on MongoDB: `_id` = counter key. An increment is a conditional `$inc` inside
 * the current window, or else a conditional upsert that starts a new window; when two callers
 * race to start the window, the loser's upsert hits the unique `_id` and it tries again (it
 * then finds the fresh window and increments it). The lock (`lockedUntil`) survives window
 * changes.
 */
import { type CounterState, type CounterStore, StoreUnavailableError } from '@city/ports';
import type { Collection } from 'mongodb';
import { requireNumber, requireString } from './_guards.js';
import { isDuplicateKeyError, type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import type { WriteSerializer } from './_serialize-writes.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'key' };
const MAX_ATTEMPTS = 10;

/** The stored form of a counter. */
export interface CounterDocument {
  _id: string;
  count: number;
  windowStart: number;
  lockedUntil?: number;
}

/** CounterStore backed by MongoDB. */
export class MongoCounterStore implements CounterStore {
  readonly #counters: Collection<CounterDocument>;
  readonly #serialize: WriteSerializer;

  constructor(counters: Collection<CounterDocument>, serialize: WriteSerializer) {
    this.#counters = counters;
    this.#serialize = serialize;
  }

  async increment(key: string, now: number, windowMs: number): Promise<CounterState> {
    const id = requireString('key', key, 1024);
    const at = requireNumber('now', now);
    const window = requireNumber('windowMs', windowMs);
    if (window <= 0) throw new MongoInputError('windowMs', '"windowMs" must be positive');
    const freshAfter = at - window;
    return withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`counters:${id}`, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
          const counted = await this.#counters.findOneAndUpdate(
            { _id: id, windowStart: { $gt: freshAfter } },
            { $inc: { count: 1 } },
            { returnDocument: 'after' },
          );
          if (counted) return toState(counted);
          try {
            const started = await this.#counters.findOneAndUpdate(
              { _id: id, windowStart: { $lte: freshAfter } },
              { $set: { count: 1, windowStart: at } },
              { returnDocument: 'after', upsert: true },
            );
            if (started) return toState(started);
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
        }
        throw new StoreUnavailableError('counter update kept conflicting; retry later');
      }),
    );
  }

  async get(key: string, now: number): Promise<CounterState | undefined> {
    const id = requireString('key', key, 1024);
    requireNumber('now', now);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#counters.findOne({ _id: id }));
    return doc ? toState(doc) : undefined;
  }

  async lock(key: string, until: number): Promise<void> {
    const id = requireString('key', key, 1024);
    const lockedUntil = requireNumber('until', until);
    // A key locked before it was ever counted gets an empty window that the next increment replaces.
    const write = () =>
      this.#counters.updateOne(
        { _id: id },
        { $set: { lockedUntil }, $setOnInsert: { count: 0, windowStart: 0 } },
        { upsert: true },
      );
    await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`counters:${id}`, async () => {
        try {
          await write();
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          await write();
        }
      }),
    );
  }

  async reset(key: string): Promise<void> {
    const id = requireString('key', key, 1024);
    await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`counters:${id}`, () => this.#counters.deleteOne({ _id: id })),
    );
  }
}

function toState(doc: CounterDocument): CounterState {
  return {
    count: doc.count,
    windowStart: doc.windowStart,
    ...(typeof doc.lockedUntil === 'number' ? { lockedUntil: doc.lockedUntil } : {}),
  };
}
