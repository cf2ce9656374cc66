/**
 * CounterStore on SQLite: table `counters (counter_key PRIMARY KEY, count, window_start,
 * locked_until, expires_at)`. An increment is ONE upsert that either adds one inside the current
 * window or starts a new window (`window_start <= now - windowMs`), returning the new state, so N
 * concurrent increments count exactly N. A lock survives window changes; a key locked before it
 * was ever counted gets an empty window (0, 0) that the next increment replaces.
 *
 * `expires_at` is when the row stops mattering: `max(window_start + windowMs, locked_until)`.
 * Past it, an increment starts a new window exactly as for a fresh key (only a lock already in
 * the past is echoed back, which every caller compares with `now`), so `_reclaimer.ts` may
 * delete the row once it is more than the grace margin old. Reads do not look at it: `get`
 * answers from the stored row until the row is gone. It is never lowered below an instant
 * written earlier in the same window (a lock shortened by a later `lock`, or a call passing a
 * shorter `windowMs`, keeps the row longer rather than shorter). A row from schema version 1
 * (NULL, window length unknown) is kept until its next increment sets the column; a `lock`
 * alone leaves it NULL, since the window it would have to outlast is unknown.
 */
import type { CounterState, CounterStore } from '@city/ports';
import { requireNumber, requireString } from './_guards.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import type { SqliteContext } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const KEY_MAX = 1024;

type CounterRow = readonly [number, number, number | null];

/** CounterStore backed by SQLite. */
export class SqliteCounterStore implements CounterStore {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  readonly #increment;
  readonly #read;
  readonly #lock;
  readonly #reset;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    // In an UPDATE every SET expression sees the row as it was, so every CASE tests the old
    // window. ?1 key, ?2 now, ?3 now - windowMs, ?4 windowMs.
    this.#increment = ctx.prepare(
      'INSERT INTO counters (counter_key, count, window_start, expires_at) VALUES (?1, 1, ?2, ?2 + ?4) ' +
        'ON CONFLICT (counter_key) DO UPDATE SET ' +
        'count = CASE WHEN window_start > ?3 THEN count + 1 ELSE 1 END, ' +
        'window_start = CASE WHEN window_start > ?3 THEN window_start ELSE ?2 END, ' +
        'expires_at = CASE WHEN window_start > ?3 ' +
        'THEN max(window_start + ?4, coalesce(locked_until, 0), coalesce(expires_at, 0)) ' +
        'ELSE max(?2 + ?4, coalesce(locked_until, 0)) END ' +
        'RETURNING count, window_start, locked_until',
    );
    this.#read = ctx.prepare('SELECT count, window_start, locked_until FROM counters WHERE counter_key = ?');
    this.#lock = ctx.prepare(
      'INSERT INTO counters (counter_key, count, window_start, locked_until, expires_at) VALUES (?1, 0, 0, ?2, ?2) ' +
        'ON CONFLICT (counter_key) DO UPDATE SET locked_until = ?2, ' +
        'expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE max(expires_at, ?2) END',
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
      row = this.#ctx.relaxed(() => this.#increment.get(id, at, at - window, window));
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.increment');
    }
    this.#reclaimer.wrote(at);
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
      this.#ctx.relaxed(() => this.#lock.run(id, lockedUntil));
    } catch (error) {
      throw this.#ctx.fail(error, 'counters.lock');
    }
    // `lock` carries no "now" (`until` is in the future), so the sweep it may trigger uses the last known clock.
    this.#reclaimer.wrote();
  }

  async reset(key: string): Promise<void> {
    const id = requireString('key', key, KEY_MAX);
    try {
      this.#ctx.relaxed(() => this.#reset.run(id));
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
