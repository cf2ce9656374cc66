/**
 * Reclamation of long-expired challenges, pairing tokens and revoked token ids by the SQLite
 * adapter (`src/sqlite/_reclaimer.ts`). Clocks are frozen: every `now` is passed in, and the
 * frozen instant lies years away from the process clock, so a sweep keyed on `Date.now()`
 * would delete nothing and fail these tests. Row counts are read through a second, read-only
 * `node:sqlite` connection on the same file, as another process would see it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ChallengeRecord, PairingTokenRecord } from '@city/ports';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OutboxNotifier } from '../src/sns/outbox-notifier.js';
import { RECLAIM_BATCH, RECLAIM_EVERY, RECLAIM_GRACE_MS } from '../src/sqlite/_reclaimer.js';
import { createSqliteStores, type SqliteStores } from '../src/sqlite/create-sqlite-stores.js';

const root = mkdtempSync(join(tmpdir(), 'city-sqlite-reclaim-'));
const notifier = new OutboxNotifier({ dir: join(root, 'outbox') });
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The frozen "now" of these tests (2037), far from the process clock. */
const T = 2_130_000_000_000;
const MINUTE = 60_000;
/** Expired well past the grace margin at T. */
const LONG_EXPIRED = T - RECLAIM_GRACE_MS - MINUTE;
/** Expired at T, but still inside the grace margin. */
const IN_GRACE = T - RECLAIM_GRACE_MS + MINUTE;
const LIVE = T + 5 * MINUTE;

type Table = 'challenges' | 'pairing_tokens' | 'revoked_tokens';

/** A fresh file, the stores on it and a read-only observer connection. */
function open(): {
  stores: SqliteStores;
  count: (table: Table, where?: string, ...args: number[]) => number;
} {
  const path = join(root, randomUUID(), 'city.sqlite');
  const stores = createSqliteStores({ path, notifier });
  const observer = new DatabaseSync(path, { readOnly: true });
  cleanups.push(() => stores.close());
  cleanups.push(() => observer.close());
  const count = (table: Table, where = '1', ...args: number[]): number =>
    Number(observer.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args)?.n);
  return { stores, count };
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
