/**
 * Bounded growth of the SQLite adapter for a fixed set of users: revoked devices (with their
 * certificate bodies) and ended sessions are capped per user where they are written, and the
 * reclaimer (`src/sqlite/_reclaimer.ts`) deletes expired sessions, CRL entries of certificates
 * that expired long ago (RFC 5280 §3.3) and audit events past their retention — never anything a
 * security decision still depends on. Clocks are frozen (every `now` is passed in, years away from
 * the process clock). Rows are counted through a second, read-only connection on the same file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { AuditEvent, ChallengeRecord, RefreshFamilyRecord } from '@city/ports';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUDIT_RETENTION_DAYS,
  RECLAIM_BATCH,
  RECLAIM_EVERY,
  RECLAIM_GRACE_MS,
} from '../src/sqlite/_reclaimer.js';
import { MIGRATIONS } from '../src/sqlite/_schema.js';
import { createSqliteStores, type SqliteStores } from '../src/sqlite/create-sqlite-stores.js';
import { REVOKED_DEVICES_KEPT_PER_USER } from '../src/sqlite/sqlite-device-store.js';
import { SqliteInputError } from '../src/sqlite/sqlite-input-error.js';
import { ENDED_SESSIONS_KEPT_PER_USER } from '../src/sqlite/sqlite-refresh-token-store.js';
import { makeDevice } from './contract/store-contract.js';
import { observedSqlite } from './helpers/observed-sqlite.js';

const { root, notifier, open } = observedSqlite('city-sqlite-bounded-');

/** The frozen "now" of these tests (2037). */
const T = 2_130_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `n` challenge creates at `at`: they set the reclaimer's clock and count towards its sweeps. */
async function loginsAt(stores: SqliteStores, at: number, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const record: ChallengeRecord = {
      challengeId: randomUUID(),
      nonce: randomBytes(32).toString('base64url'),
      createdAt: at,
      expiresAt: at + 5 * MINUTE,
    };
    await stores.challenges.create(record);
  }
}

/** A device with `bodies` certificate bodies stored under its key prefix (renewals leave several). */
async function deviceWithBodies(stores: SqliteStores, userUuid: string, deviceId: string, bodies = 2) {
  const device = makeDevice({ userUuid, deviceId });
  await stores.devices.create(device);
  for (let i = 0; i < bodies; i += 1) {
    await stores.certificates.put({
      userUuid,
      deviceId,
      serialNumber: i === 0 ? device.serialNumber : randomBytes(8).toString('hex'),
      pem: device.certificatePem,
    });
  }
  return device;
}

describe('sqlite adapter: revoked devices are capped per user', () => {
  it(`keeps the newest ${REVOKED_DEVICES_KEPT_PER_USER} revoked devices and deletes older ones with their certificate bodies in the revoke`, async () => {
    const { stores, count } = open();
    const user = randomUUID();
    const other = randomUUID();
    const active = await deviceWithBodies(stores, user, 'active-device');
    // Another user's revoked devices are not this user's to count or delete.
    for (let i = 0; i < 3; i += 1) {
      const d = await deviceWithBodies(stores, other, `other-${i}`);
      await stores.devices.revoke(other, d.deviceId, T + i);
    }
    const revokedIds: string[] = [];
    for (let i = 0; i < REVOKED_DEVICES_KEPT_PER_USER; i += 1) {
      const d = await deviceWithBodies(stores, user, `d${String(i).padStart(3, '0')}`);
      await stores.devices.revoke(user, d.deviceId, T + i * MINUTE);
      revokedIds.push(d.deviceId);
    }
    // At the cap nothing goes.
    expect(count('devices', 'user_uuid = ?', user)).toBe(REVOKED_DEVICES_KEPT_PER_USER + 1);
    expect(count('certificate_blobs', 'user_uuid = ?', user)).toBe(2 * (REVOKED_DEVICES_KEPT_PER_USER + 1));

    // Three more revocations push the three oldest out, rows and bodies alike.
    for (let i = REVOKED_DEVICES_KEPT_PER_USER; i < REVOKED_DEVICES_KEPT_PER_USER + 3; i += 1) {
      const d = await deviceWithBodies(stores, user, `d${String(i).padStart(3, '0')}`);
      await stores.devices.revoke(user, d.deviceId, T + i * MINUTE);
      revokedIds.push(d.deviceId);
    }
    const kept = (await stores.devices.listByUser(user)).filter((d) => d.status === 'revoked');
    expect(kept.map((d) => d.deviceId).sort()).toEqual(revokedIds.slice(3).sort());
    for (const gone of revokedIds.slice(0, 3)) {
      expect(await stores.devices.get(user, gone)).toBeUndefined();
      expect(count('certificate_blobs', 'blob_key LIKE ?', `certificates/${user}/${gone}/%`)).toBe(0);
    }
    expect(await stores.devices.get(user, active.deviceId)).toMatchObject({ status: 'active' });
    expect(count('certificate_blobs', 'user_uuid = ?', user)).toBe(2 * (REVOKED_DEVICES_KEPT_PER_USER + 1));
    expect(count('devices', 'user_uuid = ?', other)).toBe(3);
    expect(count('certificate_blobs', 'user_uuid = ?', other)).toBe(6);
  });

  it('orders by revocation time, not by creation or id, and never deletes an active device', async () => {
    const { stores } = open();
    const user = randomUUID();
    const actives = [];
    for (let i = 0; i < 3; i += 1) actives.push(await deviceWithBodies(stores, user, `active-${i}`, 1));
    // Created first but revoked last: it is the newest revoked device and stays.
    const late = await deviceWithBodies(stores, user, 'aaa-revoked-last', 1);
    const early: string[] = [];
    for (let i = 0; i < REVOKED_DEVICES_KEPT_PER_USER; i += 1) {
      const d = await deviceWithBodies(stores, user, `zzz-${i}`, 1);
      await stores.devices.revoke(user, d.deviceId, T + i);
      early.push(d.deviceId);
    }
    await stores.devices.revoke(user, late.deviceId, T + HOUR);
    expect(await stores.devices.get(user, late.deviceId)).toMatchObject({ status: 'revoked' });
    expect(await stores.devices.get(user, early[0] as string)).toBeUndefined();
    expect(await stores.devices.get(user, early[1] as string)).toMatchObject({ status: 'revoked' });
    for (const d of actives)
      expect(await stores.devices.get(user, d.deviceId)).toMatchObject({ status: 'active' });
  });

  it('deletes the bodies of exactly the deleted device, not of a device whose id it prefixes', async () => {
    const { stores, count } = open();
    const user = randomUUID();
    // `d` is a prefix of `d1`; the body key prefix ends with "/", so d's deletion leaves d1's bodies.
    const first = await deviceWithBodies(stores, user, 'd', 2);
    await stores.devices.revoke(user, first.deviceId, T);
    const prefixed = await deviceWithBodies(stores, user, 'd1', 2);
    await stores.devices.revoke(user, prefixed.deviceId, T + HOUR * 1000);
    for (let i = 0; i < REVOKED_DEVICES_KEPT_PER_USER - 1; i += 1) {
      const d = await deviceWithBodies(stores, user, `x${i}`, 1);
      await stores.devices.revoke(user, d.deviceId, T + HOUR * 1000 + i + 1);
    }
    expect(await stores.devices.get(user, 'd')).toBeUndefined();
    expect(count('certificate_blobs', 'blob_key LIKE ?', `certificates/${user}/d/%`)).toBe(0);
    expect(count('certificate_blobs', 'blob_key LIKE ?', `certificates/${user}/d1/%`)).toBe(2);
  });
});

function family(userUuid: string, createdAt: number, expiresAt: number): RefreshFamilyRecord {
  return {
    familyId: randomUUID(),
    userUuid,
    deviceId: 'device-1',
    generation: 0,
    currentJti: randomUUID(),
    rotatedAt: createdAt,
    status: 'active',
    createdAt,
    expiresAt,
  };
}

describe('sqlite adapter: ended sessions are capped per user', () => {
  it(`keeps the newest ${ENDED_SESSIONS_KEPT_PER_USER} ended sessions when a session is created, never an active one`, async () => {
    const { stores, count } = open();
    const user = randomUUID();
    const other = randomUUID();
    const live = family(user, T - HOUR, T + 30 * DAY);
    await stores.refreshTokens.create(live);
    const otherRevoked = family(other, T - HOUR, T + DAY);
    await stores.refreshTokens.create(otherRevoked);
    await stores.refreshTokens.revoke(otherRevoked.familyId, 'logout', T - HOUR);
    const revoked: RefreshFamilyRecord[] = [];
    for (let i = 0; i < ENDED_SESSIONS_KEPT_PER_USER + 5; i += 1) {
      const f = family(user, T - HOUR, T + DAY);
      await stores.refreshTokens.create(f);
      await stores.refreshTokens.revoke(f.familyId, 'logout', T - HOUR + i);
      revoked.push(f);
    }
    // The last create ran with 24 revoked families before it: it left the newest 20 of them, then
    // four more were revoked after it.
    const next = family(user, T, T + DAY);
    await stores.refreshTokens.create(next);
    expect(count('refresh_families', 'user_uuid = ? AND revoked_at IS NOT NULL', user)).toBe(
      ENDED_SESSIONS_KEPT_PER_USER,
    );
    for (const f of revoked.slice(0, 5)) expect(await stores.refreshTokens.get(f.familyId)).toBeUndefined();
    for (const f of revoked.slice(5)) {
      expect(await stores.refreshTokens.get(f.familyId)).toMatchObject({ status: 'revoked' });
    }
    expect(await stores.refreshTokens.get(live.familyId)).toMatchObject({ status: 'active' });
    expect(await stores.refreshTokens.get(next.familyId)).toMatchObject({ status: 'active' });
    expect(await stores.refreshTokens.get(otherRevoked.familyId)).toMatchObject({ status: 'revoked' });
  });

  it('counts sessions expired past the grace margin as ended, but not those still inside it', async () => {
    const { stores, count } = open();
    const user = randomUUID();
    const inGrace = family(user, T - DAY, T - RECLAIM_GRACE_MS + MINUTE);
    await stores.refreshTokens.create(inGrace);
    const expired: RefreshFamilyRecord[] = [];
    for (let i = 0; i < ENDED_SESSIONS_KEPT_PER_USER + 2; i += 1) {
      const f = family(user, T - 2 * DAY, T - DAY + i);
      await stores.refreshTokens.create(f);
      expired.push(f);
    }
    await stores.refreshTokens.create(family(user, T, T + DAY));
    // The two that expired first go; the one inside the grace margin is not "ended" yet and stays.
    expect(await stores.refreshTokens.get(expired[0]?.familyId as string)).toBeUndefined();
    expect(await stores.refreshTokens.get(expired[1]?.familyId as string)).toBeUndefined();
    expect(await stores.refreshTokens.get(expired[2]?.familyId as string)).toBeDefined();
    expect(await stores.refreshTokens.get(inGrace.familyId)).toBeDefined();
    expect(count('refresh_families', 'user_uuid = ?', user)).toBe(ENDED_SESSIONS_KEPT_PER_USER + 2);
  });
});

describe('sqlite adapter: the reclaimer deletes expired sessions, expired CRL entries and old audit events', () => {
  it('deletes sessions expired more than the grace margin ago, keeps live ones and those inside the margin', async () => {
    const { stores, count } = open();
    const old: RefreshFamilyRecord[] = [];
    // Different users, so the per-user cap has nothing to do with it.
    for (let i = 0; i < 10; i += 1) {
      const f = family(randomUUID(), T - 2 * DAY, T - RECLAIM_GRACE_MS - MINUTE);
      await stores.refreshTokens.create(f);
      old.push(f);
    }
    const inGrace = family(randomUUID(), T - DAY, T - RECLAIM_GRACE_MS + MINUTE);
    const live = family(randomUUID(), T - DAY, T + DAY);
    await stores.refreshTokens.create(inGrace);
    await stores.refreshTokens.create(live);
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('refresh_families')).toBe(2);
    expect(await stores.refreshTokens.get(inGrace.familyId)).toEqual(inGrace);
    expect(await stores.refreshTokens.get(live.familyId)).toEqual(live);
  });

  it('deletes a CRL entry only after its certificate expired more than the grace margin ago, and says so in authStateVersion', async () => {
    const { stores, count } = open();
    const entry = (notAfter?: number) => ({
      serialNumber: randomBytes(16).toString('hex'),
      userUuid: randomUUID(),
      deviceId: randomUUID(),
      revokedAt: T - 30 * DAY,
      reason: 'cessationOfOperation',
      ...(notAfter === undefined ? {} : { notAfter }),
    });
    const expired = entry(T - RECLAIM_GRACE_MS - MINUTE);
    const inGrace = entry(T - RECLAIM_GRACE_MS + MINUTE);
    const valid = entry(T + 300 * DAY);
    const unknown = entry();
    for (const e of [expired, inGrace, valid, unknown]) await stores.certificateRevocations.add(e);
    expect(
      (await stores.certificateRevocations.list()).find((e) => e.serialNumber === valid.serialNumber),
    ).toEqual(valid);
    const before = stores.authStateVersion();
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(await stores.certificateRevocations.isRevoked(expired.serialNumber)).toBe(false);
    for (const e of [inGrace, valid, unknown]) {
      expect(await stores.certificateRevocations.isRevoked(e.serialNumber)).toBe(true);
    }
    expect(count('revoked_certificates')).toBe(3);
    expect(stores.authStateVersion()).not.toBe(before);

    // A sweep that removes no CRL entry leaves the version alone.
    const settled = stores.authStateVersion();
    await loginsAt(stores, T, RECLAIM_EVERY);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stores.authStateVersion()).toBe(settled);
  });

  it(`deletes audit events older than the retention (default ${DEFAULT_AUDIT_RETENTION_DAYS} days) in bounded batches, whoever they are about`, async () => {
    const { stores, count } = open();
    const event = (at: number, userUuid?: string): AuditEvent => ({
      eventId: randomUUID(),
      type: 'login_success',
      at,
      ...(userUuid === undefined ? {} : { userUuid }),
    });
    const retention = DEFAULT_AUDIT_RETENTION_DAYS * DAY;
    const user = randomUUID();
    for (let i = 0; i < RECLAIM_BATCH + 50; i += 1) {
      await stores.audit.append(event(T - retention - HOUR - i, i % 2 === 0 ? user : undefined));
    }
    const kept = event(T - retention + HOUR, user);
    await stores.audit.append(kept);
    // The appends counted towards sweeps too, but the clock was not set yet: nothing went.
    expect(count('audit_events')).toBe(RECLAIM_BATCH + 51);
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('audit_events')).toBe(51);
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(count('audit_events')).toBe(1);
    expect((await stores.audit.list({ userUuid: user, limit: 10 })).items).toEqual([kept]);
  });

  it('honours a configured retention; 0 keeps the default; a bad value is refused naming the option', async () => {
    const shortRetention = open(undefined, { auditRetentionDays: 7 });
    const appendAt = async (stores: SqliteStores, at: number) =>
      stores.audit.append({ eventId: randomUUID(), type: 'logout', at });
    await appendAt(shortRetention.stores, T - 8 * DAY);
    await appendAt(shortRetention.stores, T - 6 * DAY);
    await loginsAt(shortRetention.stores, T, RECLAIM_EVERY);
    expect(shortRetention.count('audit_events')).toBe(1);

    const zero = open(undefined, { auditRetentionDays: 0 });
    await appendAt(zero.stores, T - 8 * DAY);
    await appendAt(zero.stores, T - (DEFAULT_AUDIT_RETENTION_DAYS + 1) * DAY);
    await loginsAt(zero.stores, T, RECLAIM_EVERY);
    expect(zero.count('audit_events')).toBe(1);

    for (const bad of [-1, 1.5, 36_501, Number.NaN]) {
      const path = join(root, randomUUID(), 'city.sqlite');
      let thrown: unknown;
      try {
        createSqliteStores({ path, notifier, auditRetentionDays: bad });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SqliteInputError);
      expect((thrown as SqliteInputError).parameter).toBe('auditRetentionDays');
    }
  });
});

describe('sqlite adapter: schema migration 5 → 6 (revoked_certificates.not_after)', () => {
  it('adds not_after to a version-5 file and keeps its CRL entries through every sweep', async () => {
    const path = join(root, randomUUID(), 'city.sqlite');
    mkdirSync(dirname(path), { recursive: true });
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA journal_mode = WAL');
    for (const step of MIGRATIONS.slice(0, 5)) raw.exec(step);
    raw.exec('PRAGMA user_version = 5');
    const columns = raw
      .prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid')
      .all('revoked_certificates')
      .map((row) => row.name);
    expect(columns).toEqual(['serial_number', 'revoked_at', 'record']);
    const serial = 'a1b2c3';
    raw
      .prepare('INSERT INTO revoked_certificates (serial_number, revoked_at, record) VALUES (?, ?, ?)')
      .run(
        serial,
        T - 3000 * DAY,
        JSON.stringify({ serialNumber: serial, userUuid: 'u', deviceId: 'd', revokedAt: T - 3000 * DAY }),
      );
    raw.close();

    const { stores, count } = open(path);
    expect(count('revoked_certificates', 'not_after IS NULL')).toBe(1);
    await loginsAt(stores, T, 2 * RECLAIM_EVERY);
    expect(await stores.certificateRevocations.isRevoked(serial)).toBe(true);
    // New entries on the upgraded file record their certificate's end and are reclaimed as usual.
    await stores.certificateRevocations.add({
      serialNumber: 'ffee',
      userUuid: 'u',
      deviceId: 'd',
      revokedAt: T - 10 * DAY,
      notAfter: T - DAY,
    });
    expect(count('revoked_certificates', 'not_after = ?', T - DAY)).toBe(1);
    await loginsAt(stores, T, RECLAIM_EVERY);
    expect(await stores.certificateRevocations.isRevoked('ffee')).toBe(false);
    expect(await stores.certificateRevocations.isRevoked(serial)).toBe(true);
  });
});
