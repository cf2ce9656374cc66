/**
 * CounterStore on SQLite: table `counters (counter_key PRIMARY KEY, count, window_start,
 * locked_until)`. An increment is ONE upsert that either adds one inside the current window or
 * starts a new window (`window_start <= now - windowMs`), returning the new state, so N
 * concurrent increments count exactly N. A lock survives window changes; a key locked before it
 * was ever counted gets an empty window (0, 0) that the next increment replaces.
 */
import type { CounterState, CounterStore } from '@city/ports';
import { requireNumber, requireString } from './_guards.js';
import type { SqliteContext } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const KEY_MAX = 1024;

type CounterRow = readonly [number, number, number | null];

/** CounterStore backed by SQLite. */
export class SqliteCounterStore implements CounterStore {
  readonly #ctx: SqliteContext;
  readonly #increment;
  readonly #read;
  readonly #lock;
  readonly #reset;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    // In an UPDATE every SET expression sees the row as it was, so both CASEs test the old window.
    this.#increment = ctx.prepare(
      'INSERT INTO counters (counter_key, count, window_start) VALUES (?1, 1, ?2) ' +
        'ON CONFLICT (counter_key) DO UPDATE SET ' +
        'count = CASE WHEN window_start > ?3 THEN count + 1 ELSE 1 END, ' +
        'window_start = CASE WHEN window_start > ?3 THEN window_start ELSE ?2 END ' +
        'RETURNING count, window_start, locked_until',
    );
    this.#read = ctx.prepare('SELECT count, window_start, locked_until FROM counters WHERE counter_key = ?');
    this.#lock = ctx.prepare(
      'INSERT INTO counters (counter_key, count, window_start, locked_until) VALUES (?, 0, 0, ?) ' +
        'ON CONFLICT (counter_key) DO UPDATE SET locked_until = excluded.locked_until',
    );
    this.#reset = ctx.prepare('DELETE FROM counters WHERE counter_key = ?');
  }

  async increment(key: string, now: number, windowMs: number): Promise<CounterState> {
    const id = requireString('key', key, KEY_MAX);
    const at = requireNumber('now', now);
    const window = requireNumber('windowMs', windowMs);
    if (window <= 0) throw new SqliteInputError('windowMs', '"windowMs" must be positive');
    let row: unknown;
    try {
      row = this.#increment.get(id, at, at - window);
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.increment');
    }
    return toState(row as CounterRow);
  }

  async get(key: string, now: number): Promise<CounterState | undefined> {
    const id = requireString('key', key, KEY_MAX);
    requireNumber('now', now);
    let row: unknown;
    try {
      row = this.#read.get(id);
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.get');
    }
    return row === undefined ? undefined : toState(row as CounterRow);
  }

  async lock(key: string, until: number): Promise<void> {
    const id = requireString('key', key, KEY_MAX);
    const lockedUntil = requireNumber('until', until);
    try {
      this.#lock.run(id, lockedUntil);
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.lock');
    }
  }

  async reset(key: string): Promise<void> {
    const id = requireString('key', key, KEY_MAX);
    try {
      this.#reset.run(id);
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.reset');
    }
  }
}

function toState(row: CounterRow): CounterState {
  const lockedUntil = row[2];
  return lockedUntil === null
    ? { count: row[0], windowStart: row[1] }
    : { count: row[0], windowStart: row[1], lockedUntil };
}
