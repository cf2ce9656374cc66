/**
 * Internal: reclamation of expired one-time rows — login challenges, pairing tokens and revoked
 * token ids —, of finished counters, of expired refresh-token families (sessions), of CRL entries
 * whose certificate has expired, and of audit events older than the retention, which would
 * otherwise stay in the file forever (every login writes a challenge, a session and audit lines;
 * every failed login with a new identifier or from a new address, and every rate-limited request
 * from a new address, writes a counter).
 *
 * Amortised and piggybacked on writes: every {@link RECLAIM_EVERY}th successful create or revoke
 * into one of the one-time tables, counter increment or lock, session create, CRL entry or audit
 * event, also deletes, from each table, at most {@link RECLAIM_BATCH} rows past their cutoff (one
 * indexed range per table, inside one `BEGIN IMMEDIATE … COMMIT`). Each write adds at most one row
 * and a sweep can remove {@link RECLAIM_BATCH} from every table, twice as many as the writes
 * between two sweeps add in all, so the tables stay bounded by what is live (or retained) plus the
 * grace margin.
 *
 * Cutoffs: challenges, pairing tokens, revoked token ids, counters and refresh families whose
 * `expires_at` lies more than {@link RECLAIM_GRACE_MS} before "now" (`*_by_expiry` indexes); CRL
 * entries whose certificate's `not_after` lies more than the grace margin before "now" (RFC 5280
 * §3.3 lets a CRL drop an entry once the certificate's validity period has ended;
 * `revoked_certificates_by_not_after`; entries written before schema version 6 have no
 * `not_after` and stay); audit events whose `at` lies more than the retention
 * (`auditRetentionMs`, default {@link DEFAULT_AUDIT_RETENTION_DAYS} days) before "now"
 * (`audit_events_by_time`). The audit trail is bounded by age only, never per user: no one can
 * push another user's (or their own) events out by generating more.
 *
 * Expiry itself is still decided on read against the caller's `now` (ports.ts: reclaiming only
 * frees space, and lags). The grace margin keeps an item that just expired in place, so a consume
 * racing its expiry still gets the precise `expired` (or `used`) answer rather than `not_found`.
 *
 * "Now" is the caller's clock, never the process clock (tests freeze it): the `createdAt` of the
 * latest challenge or pairing token created through this connection, which the engine sets to
 * its `now`, or the `now` of the latest counter increment, whichever came last. Reads are not
 * used, because they may legitimately ask about another instant (`isRevoked(jti, exp + 1)`).
 * Writes that carry no `now` (`revoke(jti, expiresAt)`, `lock(key, until)`, session creates, CRL
 * entries, audit events) count towards a sweep with that same clock; before any create or
 * increment there is no clock and no sweep.
 *
 * Deleting a revoked id does not bump `authStateVersion`: a row more than the grace margin past
 * its `expiresAt` denies a token that has itself expired, so no `isRevoked` answer for a `now`
 * after that expiry changes. The same holds for an expired refresh family (a session past its
 * `expiresAt` is not live whether its row exists or not: access tokens naming it are refused
 * with `TOKEN_REVOKED` either way, and its refresh tokens have expired with it). A CRL entry's
 * `isRevoked` answer does change when it goes, but every certificate check reads the validity
 * period before the CRL, so a certificate past its `notAfter` is refused as expired either way;
 * the published CRL does get shorter, so a sweep that removed CRL entries bumps the version.
 *
 * A counter's `expires_at` is the later of its window's end and its lock's end, written by every
 * increment and lock (`sqlite-counter-store.ts`; the window length is a per-call argument, so it
 * is stored as that instant). Past it the row answers nothing a fresh key would not: the next
 * increment starts a new window at count 1 and no lock is in force. Rows from schema version 1
 * have a NULL `expires_at`, which no range matches: they stay until an increment sets it.
 *
 * Users, active devices and live sessions are never deleted here. Revoked devices (with their
 * certificate bodies) and revoked sessions are capped per user where they are written
 * (`sqlite-device-store.ts`, `sqlite-refresh-token-store.ts`).
 */
import type { StatementSync } from 'node:sqlite';
import type { SqliteContext } from './_sqlite-context.js';

/** A sweep runs on every this-many successful one-time writes through one connection. */
export const RECLAIM_EVERY = 128;
/** At most this many rows are deleted from each table per sweep (bounds the write lock's hold). */
export const RECLAIM_BATCH = 256;
/** Rows are deleted only when they expired more than this long (ms) before the clock. */
export const RECLAIM_GRACE_MS = 10 * 60_000;

/** Audit events are kept this many days unless configured otherwise (`auditRetentionDays`). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

const DAY_MS = 86_400_000;

/** The tables swept on `expires_at`, each with an index on it (see `_schema.ts`). */
const EXPIRING = ['challenges', 'pairing_tokens', 'revoked_tokens', 'counters', 'refresh_families'] as const;

/** Deletes at most {@link RECLAIM_BATCH} rows of `table` whose `column` is below the bound parameter. */
function sweepStatement(ctx: SqliteContext, table: string, column: string): StatementSync {
  return ctx.prepare(
    `DELETE FROM ${table} WHERE rowid IN ` +
      `(SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${RECLAIM_BATCH})`,
  );
}

/** Counts reclaimable writes and, every {@link RECLAIM_EVERY}th, deletes a bounded batch of rows past their cutoff. */
export class SqliteReclaimer {
  readonly #ctx: SqliteContext;
  readonly #expired: readonly StatementSync[];
  readonly #expiredCertificates: StatementSync;
  readonly #oldAudit: StatementSync;
  readonly #auditRetentionMs: number;
  #writes = 0;
  /** The latest `createdAt` of a challenge or pairing token created here, or `now` of a counter increment (the caller's clock). */
  #clock: number | undefined;

  /** `auditRetentionDays`: audit events older than this many days are deleted (default {@link DEFAULT_AUDIT_RETENTION_DAYS}). */
  constructor(ctx: SqliteContext, auditRetentionDays = DEFAULT_AUDIT_RETENTION_DAYS) {
    this.#ctx = ctx;
    this.#auditRetentionMs = auditRetentionDays * DAY_MS;
    this.#expired = EXPIRING.map((table) => sweepStatement(ctx, table, 'expires_at'));
    this.#expiredCertificates = sweepStatement(ctx, 'revoked_certificates', 'not_after');
    this.#oldAudit = sweepStatement(ctx, 'audit_events', 'at');
  }

  /**
   * Records one successful write; `now` is the caller's clock when the write carries one
   * (`createdAt` of a new challenge or pairing token, `now` of a counter increment), absent for
   * the others (`revoke`, counter `lock`, session create, CRL entry, audit event).
   */
  wrote(now?: number): void {
    if (now !== undefined) this.#clock = now;
    this.#writes += 1;
    if (this.#writes < RECLAIM_EVERY) return;
    this.#writes = 0;
    if (this.#clock === undefined) return;
    const cutoff = this.#clock - RECLAIM_GRACE_MS;
    const auditCutoff = this.#clock - this.#auditRetentionMs;
    try {
      const crlChanges = this.#ctx.transaction(() => {
        for (const sweep of this.#expired) sweep.run(cutoff);
        this.#oldAudit.run(auditCutoff);
        return Number(this.#expiredCertificates.run(cutoff).changes);
      });
      if (crlChanges > 0) this.#ctx.authStateChanged();
    } catch {
      // The write that triggered the sweep has committed and must not be reported as failed
      // because another process held the lock; the rows are swept RECLAIM_EVERY writes later.
    }
  }
}
