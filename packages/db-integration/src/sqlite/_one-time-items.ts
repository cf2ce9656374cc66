/**
 * Internal: one-time items (pairing tokens, login challenges) in a table
 * `(<key> PRIMARY KEY, expires_at, used_at, record)`.
 *
 * Consuming is ONE statement — `UPDATE … SET used_at WHERE key AND used_at IS NULL AND
 * expires_at >= now RETURNING record` — which SQLite runs atomically under its write lock, so of
 * N concurrent consumers (in this process or any other) exactly one gets the row, and an expired
 * item is never marked used. A miss is classified afterwards: the only state that can change in
 * between is "absent → created", and a row created after the attempt is reported as not found.
 */
import { type ConsumeResult, StoreUnavailableError } from '@city/ports';
import { requireNumber, requireString } from './_guards.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import { parseRecord, type SqliteContext, type UniqueFields } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** The statements and rules shared by the two one-time item tables. */
export class SqliteOneTimeItems<T extends { readonly createdAt: number; readonly expiresAt: number }> {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  /** The record field holding the key (`tokenHash`, `challengeId`): names parameters and conflicts. */
  readonly #keyName: string;
  readonly #unique: UniqueFields;
  readonly #insert;
  readonly #read;
  readonly #consume;
  readonly #state;

  constructor(
    ctx: SqliteContext,
    reclaimer: SqliteReclaimer,
    table: string,
    keyColumn: string,
    keyName: string,
    /** Commits without an fsync (`SqliteContext.relaxed`): login challenges, not pairing tokens. */
    private readonly relaxedWrites = false,
  ) {
    if (!/^[a-z_]+$/.test(table) || !/^[a-z_]+$/.test(keyColumn)) {
      throw new StoreUnavailableError(`invalid one-time item table ${table}.${keyColumn}`);
    }
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    this.#keyName = keyName;
    this.#unique = { [`${table}.${keyColumn}`]: keyName };
    this.#insert = ctx.prepare(`INSERT INTO ${table} (${keyColumn}, expires_at, record) VALUES (?, ?, ?)`);
    this.#read = ctx.prepare(`SELECT record FROM ${table} WHERE ${keyColumn} = ?`);
    this.#consume = ctx.prepare(
      `UPDATE ${table} SET used_at = ? WHERE ${keyColumn} = ? AND used_at IS NULL AND expires_at >= ? RETURNING record`,
    );
    this.#state = ctx.prepare(`SELECT used_at, expires_at FROM ${table} WHERE ${keyColumn} = ?`);
  }

  /**
   * Inserts a validated record under `key`; `ConflictError(<keyName>)` when the key exists. The
   * record's `createdAt` is the caller's clock for the amortised sweep of expired rows.
   */
  create(key: string, record: T, what: string): void {
    try {
      const insert = () => this.#insert.run(key, record.expiresAt, JSON.stringify(record));
      if (this.relaxedWrites) this.#ctx.relaxed(insert);
      else insert();
    } catch (error) {
      throw this.#ctx.fail(error, what, this.#unique);
    }
    this.#reclaimer.wrote(record.createdAt);
  }

  get(key: string, what: string): T | undefined {
    const id = requireString(this.#keyName, key, KEY_MAX);
    return this.#ctx.readRecord<T>(this.#read, what, id);
  }

  consume(key: string, now: number, what: string): ConsumeResult<T> {
    const id = requireString(this.#keyName, key, KEY_MAX);
    const at = requireNumber('now', now);
    try {
      const consume = () => this.#consume.get(at, id, at);
      const row = this.relaxedWrites ? this.#ctx.relaxed(consume) : consume();
      if (row !== undefined) return { ok: true, record: parseRecord<T>(row) };
      const state = this.#state.get(id) as readonly [number | null, number] | undefined;
      if (state === undefined) return { ok: false, reason: 'not_found' };
      // A used item presented again is `used` even after expiry: that is a replay.
      if (state[0] !== null) return { ok: false, reason: 'used' };
      if (state[1] < at) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'not_found' };
    } catch (error) {
      throw this.#ctx.fail(error, what);
    }
  }
}
