/**
 * Internal: reclamation of expired one-time rows — login challenges, pairing tokens and revoked
 * token ids — and of finished counters, which would otherwise stay in the file forever (every
 * login writes a challenge; every failed login with a new identifier or from a new address, and
 * every rate-limited request from a new address, writes a counter).
 *
 * Amortised and piggybacked on writes: every {@link RECLAIM_EVERY}th successful create or revoke
 * into one of the one-time tables, or counter increment or lock, also deletes, from each table,
 * at most {@link RECLAIM_BATCH} rows whose `expires_at` lies more than {@link RECLAIM_GRACE_MS}
 * before "now" (one indexed range on the `*_by_expiry` indexes, inside one
 * `BEGIN IMMEDIATE … COMMIT`). Each write adds at most one row and a sweep can remove
 * {@link RECLAIM_BATCH} from every table, eight times as many as the writes between two sweeps
 * add, so the tables stay bounded by what is live plus the grace margin.
 *
 * Expiry itself is still decided on read against the caller's `now` (ports.ts: reclaiming only
 * frees space, and lags). The grace margin keeps an item that just expired in place, so a consume
 * racing its expiry still gets the precise `expired` (or `used`) answer rather than `not_found`.
 *
 * "Now" is the caller's clock, never the process clock (tests freeze it): the `createdAt` of the
 * latest challenge or pairing token created through this connection, which the engine sets to
 * its `now`, or the `now` of the latest counter increment, whichever came last. Reads are not
 * used, because they may legitimately ask about another instant (`isRevoked(jti, exp + 1)`).
 * `revoke(jti, expiresAt)` and `lock(key, until)` carry no `now`, so a sweep they trigger uses
 * that same clock; before any create or increment there is no clock and no sweep.
 *
 * Deleting a revoked id does not bump `authStateVersion`: a row more than the grace margin past
 * its `expiresAt` denies a token that has itself expired, so no `isRevoked` answer for a `now`
 * after that expiry changes.
 *
 * A counter's `expires_at` is the later of its window's end and its lock's end, written by every
 * increment and lock (`sqlite-counter-store.ts`; the window length is a per-call argument, so it
 * is stored as that instant). Past it the row answers nothing a fresh key would not: the next
 * increment starts a new window at count 1 and no lock is in force. Rows from schema version 1
 * have a NULL `expires_at`, which no range matches: they stay until an increment sets it.
 * Refresh families, users, devices, certificate revocations (CRLs list every revoked serial) and
 * audit events are never deleted here.
 */
import type { StatementSync } from 'node:sqlite';
import type { SqliteContext } from './_sqlite-context.js';

/** A sweep runs on every this-many successful one-time writes through one connection. */
export const RECLAIM_EVERY = 128;
/** At most this many rows are deleted from each table per sweep (bounds the write lock's hold). */
export const RECLAIM_BATCH = 256;
/** Rows are deleted only when they expired more than this long (ms) before the clock. */
export const RECLAIM_GRACE_MS = 10 * 60_000;

/** The tables swept, each with an index on `expires_at` (see `_schema.ts`). */
const TABLES = ['challenges', 'pairing_tokens', 'revoked_tokens', 'counters'] as const;

/** Counts one-time and counter writes and, every {@link RECLAIM_EVERY}th, deletes a bounded batch of long-expired rows. */
export class SqliteReclaimer {
  readonly #ctx: SqliteContext;
  readonly #sweeps: readonly StatementSync[];
  #writes = 0;
  /** The latest `createdAt` of a challenge or pairing token created here, or `now` of a counter increment (the caller's clock). */
  #clock: number | undefined;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#sweeps = TABLES.map((table) =>
      ctx.prepare(
        `DELETE FROM ${table} WHERE rowid IN ` +
          `(SELECT rowid FROM ${table} WHERE expires_at < ? LIMIT ${RECLAIM_BATCH})`,
      ),
    );
  }

  /**
   * Records one successful write; `now` is the caller's clock when the write carries one
   * (`createdAt` of a new challenge or pairing token, `now` of a counter increment), absent for
   * `revoke` and counter `lock`.
   */
  wrote(now?: number): void {
    if (now !== undefined) this.#clock = now;
    this.#writes += 1;
    if (this.#writes < RECLAIM_EVERY) return;
    this.#writes = 0;
    if (this.#clock === undefined) return;
    const cutoff = this.#clock - RECLAIM_GRACE_MS;
    try {
      this.#ctx.transaction(() => {
        for (const sweep of this.#sweeps) sweep.run(cutoff);
      });
    } catch {
      // The write that triggered the sweep has committed and must not be reported as failed
      // because another process held the lock; the rows are swept RECLAIM_EVERY writes later.
    }
  }
}
