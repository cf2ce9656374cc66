/**
 * Reclamation of long-expired challenges, pairing tokens, revoked token ids and finished counters
 * by the SQLite adapter (`src/sqlite/_reclaimer.ts`), and the schema migration that gave
 * counters their `expires_at`. Clocks are frozen: every `now` is passed in, and the
 * frozen instant lies years away from the process clock, so a sweep keyed on `Date.now()`
 * would delete nothing and fail these tests. Row counts are read through a second, read-only
 * `node:sqlite` connection on the same file, as another process would see it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ChallengeRecord, PairingTokenRecord } from '@city/ports';
import { describe, expect, it } from 'vitest';
import { RECLAIM_BATCH, RECLAIM_EVERY, RECLAIM_GRACE_MS } from '../src/sqlite/_reclaimer.js';
import { SCHEMA_V1 } from '../src/sqlite/_schema.js';
import { createSqliteStores, type SqliteStores } from '../src/sqlite/create-sqlite-stores.js';
import { observedSqlite } from './helpers/observed-sqlite.js';

const { root, notifier, open: openObserved } = observedSqlite('city-sqlite-reclaim-');

/** The frozen "now" of these tests (2037), far from the process clock. */
const T = 2_130_000_000_000;
const MINUTE = 60_000;
/** Expired well past the grace margin at T. */
const LONG_EXPIRED = T - RECLAIM_GRACE_MS - MINUTE;
/** Expired at T, but still inside the grace margin. */
const IN_GRACE = T - RECLAIM_GRACE_MS + MINUTE;
const LIVE = T + 5 * MINUTE;

type Table = 'challenges' | 'pairing_tokens' | 'revoked_tokens' | 'counters';

/** A counter row as stored, read behind the adapter's back. */
interface CounterRow {
  readonly count: number;
  readonly window_start: number;
  readonly locked_until: number | null;
  readonly expires_at: number | null;
}

/** A fresh file (or `path`, already prepared), the stores on it and a read-only observer connection. */
function open(path?: string): {
  stores: SqliteStores;
  count: (table: Table, where?: string, ...args: (number | string)[]) => number;
  counterRow: (key: string) => CounterRow | undefined;
  observer: DatabaseSync;
} {
  const { stores, count, observer } = openObserved(path);
  const counterRow = (key: string): CounterRow | undefined =>
    observer
      .prepare('SELECT count, window_start, locked_until, expires_at FROM counters WHERE counter_key = ?')
      .get(key) as CounterRow | undefined;
  return { stores, count, counterRow, observer };
}

const challenge = (createdAt: number, expiresAt: number): ChallengeRecord => ({
  challengeId: randomUUID(),
  nonce: randomBytes(32).toString('base64url'),
  createdAt,
  expiresAt,
});

const pairingToken = (createdAt: number, expiresAt: number): PairingTokenRecord => ({
  tokenHash: randomBytes(32).toString('hex'),
  userUuid: randomUUID(),
  parentDeviceId: randomUUID(),
  createdAt,
  expiresAt,
});

/** `n` challenge creates at the caller's clock `at` (they expire later, so they are never swept here). */
async function loginsAt(stores: SqliteStores, at: number, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await stores.challenges.create(challenge(at, at + 5 * MINUTE));
}

describe('sqlite adapter: reclamation of expired one-time rows', () => {
  it('deletes long-expired challenges, pairing tokens and revoked ids in bounded batches on later writes', async () => {
    const { stores, count } = open();
    const issuedAt = LONG_EXPIRED - 5 * MINUTE;
    const expired = 300; // more than one batch
    for (let i = 0; i < expired; i += 1) {
      await stores.challenges.create(challenge(issuedAt, LONG_EXPIRED));
      await stores.pairingTokens.create(pairingToken(issuedAt, LONG_EXPIRED));
      await stores.revocations.revoke(randomUUID(), LONG_EXPIRED);
    }
    // 900 writes have run sweeps, but at the clock of their own createdAt: nothing was old enough.
    expect(count('challenges')).toBe(expired);
    expect(count('pairing_tokens')).toBe(expired);
    expect(count('revoked_tokens')).toBe(expired);

    // Any RECLAIM_EVERY consecutive writes trigger exactly one sweep: one batch per table.
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('challenges', 'expires_at < ?', T)).toBe(expired - RECLAIM_BATCH);
    expect(count('pairing_tokens')).toBe(expired - RECLAIM_BATCH);
    expect(count('revoked_tokens')).toBe(expired - RECLAIM_BATCH);

    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('challenges', 'expires_at < ?', T)).toBe(0);
    expect(count('challenges')).toBe(2 * RECLAIM_EVERY);
    expect(count('pairing_tokens')).toBe(0);
    expect(count('revoked_tokens')).toBe(0);
  });

  it('keeps live rows and rows inside the grace margin, which still answer exactly as before', async () => {
    const { stores, count } = open();
    const issuedAt = T - 20 * MINUTE;
    const graceChallenge = challenge(issuedAt, IN_GRACE);
    const liveChallenge = challenge(issuedAt, LIVE);
    const graceToken = pairingToken(issuedAt, IN_GRACE);
    const liveToken = pairingToken(issuedAt, LIVE);
    const usedGraceToken = pairingToken(issuedAt, IN_GRACE);
    const oldChallenge = challenge(issuedAt, LONG_EXPIRED);
    const usedOldToken = pairingToken(issuedAt, LONG_EXPIRED);
    for (const c of [graceChallenge, liveChallenge, oldChallenge]) await stores.challenges.create(c);
    for (const t of [graceToken, liveToken, usedGraceToken, usedOldToken])
      await stores.pairingTokens.create(t);
    expect((await stores.pairingTokens.consume(usedGraceToken.tokenHash, issuedAt + 1)).ok).toBe(true);
    expect((await stores.pairingTokens.consume(usedOldToken.tokenHash, issuedAt + 1)).ok).toBe(true);
    const graceJti = randomUUID();
    const liveJti = randomUUID();
    await stores.revocations.revoke(graceJti, IN_GRACE);
    await stores.revocations.revoke(liveJti, LIVE);

    await loginsAt(stores, T, RECLAIM_EVERY);

    // Only the two rows expired beyond the margin are gone.
    expect(count('challenges', 'expires_at < ?', T)).toBe(1);
    expect(count('pairing_tokens')).toBe(3);
    expect(count('revoked_tokens')).toBe(2);
    expect(await stores.challenges.consume(graceChallenge.challengeId, T)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await stores.challenges.consume(liveChallenge.challengeId, T)).toEqual({
      ok: true,
      record: liveChallenge,
    });
    expect(await stores.pairingTokens.consume(graceToken.tokenHash, T)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await stores.pairingTokens.consume(usedGraceToken.tokenHash, T)).toEqual({
      ok: false,
      reason: 'used',
    });
    expect(await stores.pairingTokens.get(liveToken.tokenHash)).toEqual(liveToken);
    expect(await stores.pairingTokens.consume(liveToken.tokenHash, T)).toEqual({
      ok: true,
      record: liveToken,
    });
    expect(await stores.revocations.isRevoked(liveJti, T)).toBe(true);
    expect(await stores.revocations.isRevoked(graceJti, IN_GRACE - 1)).toBe(true);
    // Past the margin the row is gone; a replay is still refused, as not_found.
    expect(await stores.challenges.consume(oldChallenge.challengeId, T)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await stores.pairingTokens.consume(usedOldToken.tokenHash, T)).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  it('never removes a revoked id whose expiry is still ahead of the clock', async () => {
    const { stores, count } = open();
    const jtis = Array.from({ length: 50 }, () => randomUUID());
    for (const jti of jtis) await stores.revocations.revoke(jti, T + 60 * MINUTE);
    // The clock walks up to just before that expiry; revokes and logins keep triggering sweeps.
    for (const at of [T, T + 30 * MINUTE, T + 59 * MINUTE]) {
      for (let i = 0; i < RECLAIM_EVERY; i += 1) {
        await stores.challenges.create(challenge(at, at + MINUTE));
        await stores.revocations.revoke(randomUUID(), at + 61 * MINUTE);
      }
    }
    expect(count('revoked_tokens', 'expires_at = ?', T + 60 * MINUTE)).toBe(jtis.length);
    for (const jti of jtis) expect(await stores.revocations.isRevoked(jti, T + 59 * MINUTE)).toBe(true);
  });

  it('uses the clock of creates, not of reads, and revokes alone sweep nothing before any create', async () => {
    const { stores, count } = open();
    const jti = randomUUID();
    await stores.revocations.revoke(jti, T);
    // A read asking about a far instant must not move the sweep's clock.
    expect(await stores.revocations.isRevoked(jti, T + 365 * 24 * 60 * MINUTE)).toBe(false);
    for (let i = 0; i < 2 * RECLAIM_EVERY; i += 1) await stores.revocations.revoke(randomUUID(), T + 1);
    expect(await stores.revocations.isRevoked(jti, T - 1)).toBe(true);
    expect(count('revoked_tokens')).toBe(2 * RECLAIM_EVERY + 1);
  });

  it('does not change authStateVersion when it deletes revoked ids that can no longer match a token', async () => {
    const { stores, count } = open();
    for (let i = 0; i < 10; i += 1) await stores.revocations.revoke(randomUUID(), LONG_EXPIRED);
    const before = stores.authStateVersion();
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('revoked_tokens')).toBe(0);
    expect(stores.authStateVersion()).toBe(before);
  });
});

const HOUR = 60 * MINUTE;

/** `n` increments at the caller's clock `at` on fresh keys with a one-hour window (never swept here). */
async function failuresAt(stores: SqliteStores, at: number, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await stores.counters.increment(`rate:live:${randomUUID()}`, at, HOUR);
}

describe('sqlite adapter: reclamation of finished counters', () => {
  it('deletes counters whose window and lock ended long ago, in bounded batches, on later counter writes', async () => {
    const { stores, count, counterRow } = open();
    // Failed logins with random identifiers, two hours before T, one-minute windows, no lock.
    const then = T - 2 * HOUR;
    const keys = Array.from({ length: 300 }, () => `auth-fail:id:${randomUUID()}`);
    for (const key of keys) {
      expect(await stores.counters.increment(key, then, MINUTE)).toEqual({ count: 1, windowStart: then });
    }
    // A key locked (only) until long ago, and one counted and then locked until long ago.
    await stores.counters.lock('auth-fail:ip:locked-only', then + MINUTE);
    await stores.counters.increment('auth-fail:ip:counted-locked', then, MINUTE);
    await stores.counters.lock('auth-fail:ip:counted-locked', then + 30 * MINUTE);
    // Every write stored when it stops mattering: max(windowStart + windowMs, lockedUntil).
    expect(counterRow(keys[0] as string)?.expires_at).toBe(then + MINUTE);
    expect(counterRow('auth-fail:ip:locked-only')?.expires_at).toBe(then + MINUTE);
    expect(counterRow('auth-fail:ip:counted-locked')?.expires_at).toBe(then + 30 * MINUTE);
    // The sweeps run so far used the clock of those writes: nothing was old enough.
    expect(count('counters')).toBe(keys.length + 2);

    // Counter writes alone (no login challenge) trigger a sweep: one batch per RECLAIM_EVERY writes.
    await failuresAt(stores, T, RECLAIM_EVERY);
    expect(count('counters', 'expires_at < ?', T)).toBe(keys.length + 2 - RECLAIM_BATCH);
    await failuresAt(stores, T, RECLAIM_EVERY);
    expect(count('counters', 'expires_at < ?', T)).toBe(0);
    expect(count('counters')).toBe(2 * RECLAIM_EVERY);

    // A reclaimed key answers exactly as a key never seen.
    const fresh = `auth-fail:id:${randomUUID()}`;
    for (const key of [keys[0] as string, keys[299] as string, 'auth-fail:ip:counted-locked']) {
      expect(await stores.counters.get(key, T)).toBe(await stores.counters.get(fresh, T));
      expect(await stores.counters.increment(key, T, MINUTE)).toEqual(
        await stores.counters.increment(`auth-fail:id:${randomUUID()}`, T, MINUTE),
      );
    }
    expect(await stores.counters.get('auth-fail:ip:locked-only', T)).toBeUndefined();
  });

  it('keeps counters inside their window, under a lock or inside the grace margin, with their count and lock', async () => {
    const { stores, count, counterRow } = open();
    // Inside its one-hour window at T: three failures.
    const windowStart = T - 30 * MINUTE;
    for (let i = 0; i < 3; i += 1) await stores.counters.increment('k:window', windowStart + i, HOUR);
    // Window long over, lock still ahead of T.
    await stores.counters.increment('k:locked', T - 2 * HOUR, MINUTE);
    await stores.counters.increment('k:locked', T - 2 * HOUR + 1, MINUTE);
    await stores.counters.lock('k:locked', T + 10 * MINUTE);
    // Locked (never counted) until after T.
    await stores.counters.lock('k:lock-only', T + HOUR);
    // Lock ended long ago, but the window (longer than the lock) is still open: the lock must
    // not shorten the row's life.
    await stores.counters.increment('k:lock-shorter', windowStart, HOUR);
    await stores.counters.lock('k:lock-shorter', T - 20 * MINUTE);
    // Window ended five minutes before T: inside the grace margin, still answered as today.
    await stores.counters.increment('k:grace', T - 6 * MINUTE, MINUTE);
    // A lock shortened by a later lock keeps the row at least until the first one ended.
    await stores.counters.lock('k:relocked', T + 5 * MINUTE);
    await stores.counters.lock('k:relocked', T - 2 * HOUR);
    // One key whose window and lock ended long ago, the control.
    await stores.counters.increment('k:old', T - 2 * HOUR, MINUTE);
    await stores.counters.lock('k:old', T - HOUR);

    const before = {
      window: await stores.counters.get('k:window', T),
      locked: await stores.counters.get('k:locked', T),
      lockOnly: await stores.counters.get('k:lock-only', T),
      lockShorter: await stores.counters.get('k:lock-shorter', T),
      grace: await stores.counters.get('k:grace', T),
      relocked: await stores.counters.get('k:relocked', T),
    };
    expect(before.window).toEqual({ count: 3, windowStart });
    expect(before.locked).toEqual({ count: 2, windowStart: T - 2 * HOUR, lockedUntil: T + 10 * MINUTE });
    expect(before.lockOnly).toEqual({ count: 0, windowStart: 0, lockedUntil: T + HOUR });
    expect(before.grace).toEqual({ count: 1, windowStart: T - 6 * MINUTE });

    await failuresAt(stores, T, 2 * RECLAIM_EVERY);

    expect(count('counters', 'counter_key LIKE ?', 'k:%')).toBe(6);
    expect(counterRow('k:old')).toBeUndefined();
    expect(counterRow('k:lock-shorter')?.expires_at).toBe(windowStart + HOUR);
    expect(counterRow('k:relocked')?.expires_at).toBe(T + 5 * MINUTE);
    // Reads answer exactly what they answered before the sweeps.
    expect(await stores.counters.get('k:window', T)).toEqual(before.window);
    expect(await stores.counters.get('k:locked', T)).toEqual(before.locked);
    expect(await stores.counters.get('k:lock-only', T)).toEqual(before.lockOnly);
    expect(await stores.counters.get('k:lock-shorter', T)).toEqual(before.lockShorter);
    expect(await stores.counters.get('k:grace', T)).toEqual(before.grace);
    expect(await stores.counters.get('k:relocked', T)).toEqual(before.relocked);
    // And increments continue the window, or start a new one keeping the lock, as before.
    expect(await stores.counters.increment('k:window', T, HOUR)).toEqual({ count: 4, windowStart });
    expect(await stores.counters.increment('k:locked', T, MINUTE)).toEqual({
      count: 1,
      windowStart: T,
      lockedUntil: T + 10 * MINUTE,
    });
    expect(await stores.counters.increment('k:lock-only', T, MINUTE)).toEqual({
      count: 1,
      windowStart: T,
      lockedUntil: T + HOUR,
    });
    expect(await stores.counters.increment('k:grace', T, MINUTE)).toEqual({ count: 1, windowStart: T });
    expect(counterRow('k:locked')?.expires_at).toBe(T + 10 * MINUTE);
    expect(counterRow('k:lock-only')?.expires_at).toBe(T + HOUR);
  });

  it('keeps a counter locked in the far future through a clock walking up to its lock', async () => {
    const { stores, count } = open();
    const keys = Array.from({ length: 20 }, () => `auth-fail:id:${randomUUID()}`);
    for (const key of keys) {
      for (let i = 0; i < 6; i += 1) await stores.counters.increment(key, T, MINUTE);
      await stores.counters.lock(key, T + 3 * HOUR);
    }
    for (const at of [T + HOUR, T + 2 * HOUR, T + 3 * HOUR - 1])
      await failuresAt(stores, at, 2 * RECLAIM_EVERY);
    for (const key of keys) {
      expect(await stores.counters.get(key, T + 3 * HOUR - 1)).toEqual({
        count: 6,
        windowStart: T,
        lockedUntil: T + 3 * HOUR,
      });
    }
    expect(count('counters', "counter_key LIKE 'auth-fail:%' AND expires_at = ?", T + 3 * HOUR)).toBe(
      keys.length,
    );
    // Meanwhile the live keys of the first hour ended more than the margin ago and were swept.
    expect(count('counters', 'expires_at <= ?', T + 2 * HOUR)).toBe(0);
  });

  it('reset still deletes the row at once', async () => {
    const { stores, counterRow } = open();
    await stores.counters.increment('k', T, HOUR);
    await stores.counters.lock('k', T + HOUR);
    await stores.counters.reset('k');
    expect(counterRow('k')).toBeUndefined();
    expect(await stores.counters.get('k', T)).toBeUndefined();
  });
});

describe('sqlite adapter: schema migration 1 → 3 (counters.expires_at, deployment)', () => {
  /** A file exactly as version 1 of the adapter left it, with counters written then. */
  function versionOneFile(): string {
    const path = join(root, randomUUID(), 'city.sqlite');
    mkdirSync(dirname(path), { recursive: true });
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA journal_mode = WAL');
    raw.exec(SCHEMA_V1);
    raw.exec('PRAGMA user_version = 1');
    const columns = raw
      .prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid')
      .all('counters')
      .map((row) => row.name);
    // The version-1 shape, independently of what SCHEMA_V1 may say later.
    expect(columns).toEqual(['counter_key', 'count', 'window_start', 'locked_until']);
    const insert = raw.prepare(
      'INSERT INTO counters (counter_key, count, window_start, locked_until) VALUES (?, ?, ?, ?)',
    );
    insert.run('v1:window', 2, T - 30 * MINUTE, null);
    insert.run('v1:old', 5, T - 24 * HOUR, null);
    insert.run('v1:locked', 7, T - 24 * HOUR, T + HOUR);
    insert.run('v1:old-locked', 9, T - 24 * HOUR, T - 23 * HOUR);
    raw.close();
    return path;
  }

  it('opens a version-1 file, adds and indexes expires_at, and keeps its counters working', async () => {
    const path = versionOneFile();
    const { stores, count, counterRow, observer } = open(path);
    expect(observer.prepare('PRAGMA user_version').get()?.user_version).toBe(6);
    // Version 3's deployment facts work on the upgraded file.
    expect(await stores.deployment.claim('key-check', 'v1:upgraded')).toBe('v1:upgraded');
    expect(
      observer
        .prepare(
          "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index' AND name = 'counters_by_expiry'",
        )
        .get()?.n,
    ).toBe(1);
    expect(
      observer
        .prepare('EXPLAIN QUERY PLAN SELECT rowid FROM counters WHERE expires_at < 1')
        .all()
        .map((row) => String(row.detail))
        .join(' '),
    ).toContain('counters_by_expiry');
    // Rows of version 1 keep their values; their window length is unknown, so expires_at is NULL.
    expect(count('counters', 'expires_at IS NULL')).toBe(4);
    expect(await stores.counters.get('v1:window', T)).toEqual({ count: 2, windowStart: T - 30 * MINUTE });
    expect(await stores.counters.get('v1:old', T)).toEqual({ count: 5, windowStart: T - 24 * HOUR });
    expect(await stores.counters.get('v1:locked', T)).toEqual({
      count: 7,
      windowStart: T - 24 * HOUR,
      lockedUntil: T + HOUR,
    });

    // Sweeps leave NULL rows alone, even those whose window and lock look long over.
    await failuresAt(stores, T, 2 * RECLAIM_EVERY);
    expect(count('counters', 'expires_at IS NULL')).toBe(4);

    // Their next increment counts as before and records expires_at; a lock alone leaves it NULL.
    expect(await stores.counters.increment('v1:window', T, HOUR)).toEqual({
      count: 3,
      windowStart: T - 30 * MINUTE,
    });
    expect(counterRow('v1:window')?.expires_at).toBe(T + 30 * MINUTE);
    expect(await stores.counters.increment('v1:locked', T, MINUTE)).toEqual({
      count: 1,
      windowStart: T,
      lockedUntil: T + HOUR,
    });
    expect(counterRow('v1:locked')?.expires_at).toBe(T + HOUR);
    await stores.counters.lock('v1:old-locked', T - 22 * HOUR);
    expect(counterRow('v1:old-locked')?.expires_at).toBeNull();
    // Once set, a finished row is reclaimed like any other.
    expect(await stores.counters.increment('v1:old', T - 2 * HOUR, MINUTE)).toEqual({
      count: 1,
      windowStart: T - 2 * HOUR,
    });
    expect(counterRow('v1:old')?.expires_at).toBe(T - 2 * HOUR + MINUTE);
    await failuresAt(stores, T, RECLAIM_EVERY);
    expect(counterRow('v1:old')).toBeUndefined();
    expect(counterRow('v1:window')?.count).toBe(3);
    expect(counterRow('v1:locked')?.count).toBe(1);
    expect(counterRow('v1:old-locked')?.count).toBe(9);
  });

  it('migrates once: a second open of the upgraded file finds version 3 and its rows', async () => {
    const path = versionOneFile();
    const first = createSqliteStores({ path, notifier });
    expect(await first.counters.increment('v1:window', T, HOUR)).toMatchObject({ count: 3 });
    await first.close();
    const { stores, observer } = open(path);
    expect(observer.prepare('PRAGMA user_version').get()?.user_version).toBe(6);
    expect(await stores.counters.increment('v1:window', T + 1, HOUR)).toEqual({
      count: 4,
      windowStart: T - 30 * MINUTE,
    });
  });
});
