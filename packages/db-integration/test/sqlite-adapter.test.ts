/**
 * SQLite adapter behaviour the shared contract does not cover: durability across reopen, two
 * connections on one file (as two processes would have), the `authStateVersion()` change
 * marker, lock timeouts, closing, file permissions, open failures and the input guards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreUnavailableError } from '@city/ports';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OutboxNotifier } from '../src/sns/outbox-notifier.js';
import {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from '../src/sqlite/create-sqlite-stores.js';
import { SqliteInputError } from '../src/sqlite/sqlite-input-error.js';
import { expectConflict, makeDevice, makeUser } from './contract/store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'city-sqlite-adapter-'));
const notifier = new OutboxNotifier({ dir: join(root, 'outbox') });
const opened: SqliteStores[] = [];

afterEach(async () => {
  for (const stores of opened.splice(0)) await stores.close();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh database path in its own directory. */
const freshPath = (): string => join(root, randomUUID(), 'city.sqlite');

function open(path: string, extra: Partial<SqliteStoresConfig> = {}): SqliteStores {
  const stores = createSqliteStores({ path, notifier, ...extra });
  opened.push(stores);
  return stores;
}

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error;
}

/** The error `fn` throws synchronously (fails the test if it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw');
}

const family = (userUuid: string = randomUUID()) => ({
  familyId: randomUUID(),
  userUuid,
  deviceId: randomUUID(),
  generation: 0,
  currentJti: randomUUID(),
  rotatedAt: 1_800_000_000_000,
  status: 'active' as const,
  createdAt: 1_800_000_000_000,
  expiresAt: 1_800_000_000_000 + 86_400_000,
});

describe('sqlite adapter: one file', () => {
  it('keeps every record across close and reopen of the same file', async () => {
    const path = freshPath();
    const first = createSqliteStores({ path, notifier });
    const user = makeUser();
    const device = makeDevice({ userUuid: user.uuid });
    const fam = family(user.uuid);
    await first.users.create(user);
    await first.devices.create(device);
    await first.refreshTokens.create(fam);
    await first.revocations.revoke('jti-1', 1_900_000_000_000);
    await first.counters.increment('login:x', 1_800_000_000_000, 60_000);
    const key = await first.certificates.put({
      userUuid: user.uuid,
      deviceId: device.deviceId,
      serialNumber: device.serialNumber,
      pem: device.certificatePem,
    });
    await first.close();

    const second = open(path);
    expect(second.path).toBe(path);
    expect(await second.users.getByUuid(user.uuid)).toEqual(user);
    expect(await second.devices.getByFingerprint(device.fingerprint)).toEqual(device);
    expect(await second.refreshTokens.get(fam.familyId)).toEqual(fam);
    expect(await second.revocations.isRevoked('jti-1', 1_800_000_000_000)).toBe(true);
    expect(await second.counters.get('login:x', 1_800_000_000_001)).toEqual({
      count: 1,
      windowStart: 1_800_000_000_000,
    });
    expect((await second.certificates.get(key))?.pem).toBe(device.certificatePem);
    // uniqueness survives the reopen too
    await expectConflict(second.users.create(makeUser({ usernameKey: user.usernameKey })), 'username');
  });

  it('fsyncs auth-state writes by default (auth level: a group commit before the call resolves), every commit with full, only checkpoints with normal', () => {
    expect(open(freshPath()).synchronous).toBe('auth');
    expect(open(freshPath(), { synchronous: 'auth' }).synchronous).toBe('auth');
    expect(open(freshPath(), { synchronous: 'full' }).synchronous).toBe('full');
    expect(open(freshPath(), { synchronous: 'normal' }).synchronous).toBe('normal');
    expect(open(':memory:', { synchronous: 'normal' }).synchronous).toBe('normal');
  });

  it('opens in WAL mode with the schema version recorded', async () => {
    const path = freshPath();
    const stores = open(path);
    await stores.users.ping();
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      expect(raw.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
      expect(raw.prepare('PRAGMA user_version').get()?.user_version).toBe(6);
      const tables = raw
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => row.name);
      expect(tables).toEqual([
        'audit_events',
        'certificate_blobs',
        'challenges',
        'counters',
        'deployment',
        'devices',
        'pairing_tokens',
        'recovery_codes',
        'refresh_families',
        'revoked_certificates',
        'revoked_tokens',
        'service_clients',
        'users',
      ]);
    } finally {
      raw.close();
    }
  });

  it('creates the database file 0600 (and its WAL alike) in a new 0700 directory', async () => {
    const path = freshPath();
    const stores = open(path);
    await stores.users.create(makeUser());
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });

  it('works on :memory: as well', async () => {
    const stores = open(':memory:');
    const user = makeUser();
    await stores.users.create(user);
    expect(await stores.users.getByUsernameKey(user.usernameKey)).toEqual(user);
    expect(stores.path).toBe(':memory:');
  });

  it('hands back the notifier it was given', () => {
    expect(open(freshPath()).notifier).toBe(notifier);
  });
});

describe('sqlite adapter: two connections on one file (two processes)', () => {
  it("each sees the other's writes", async () => {
    const path = freshPath();
    const a = open(path);
    const b = open(path);
    const user = makeUser();
    await a.users.create(user);
    expect(await b.users.getByUuid(user.uuid)).toEqual(user);
    const updated = await b.users.update(user.uuid, { status: 'disabled' }, user.version, user.createdAt + 1);
    expect(await a.users.getByUuid(user.uuid)).toEqual(updated);
    const device = makeDevice({ userUuid: user.uuid });
    await b.devices.create(device);
    await expectConflict(a.devices.create(makeDevice({ fingerprint: device.fingerprint })), 'fingerprint');
  });

  it('lets exactly one of 50 creates of one username win across both connections', async () => {
    const path = freshPath();
    const connections = [open(path), open(path)];
    const usernameKey = `race_${randomUUID()}`;
    const attempts = Array.from({ length: 50 }, () => makeUser({ usernameKey }));
    const results = await Promise.allSettled(
      attempts.map((user, i) => (connections[i % 2] as SqliteStores).users.create(user)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', field: 'username' });
    }
    const winner = attempts[results.findIndex((r) => r.status === 'fulfilled')];
    for (const c of connections) expect(await c.users.getByUsernameKey(usernameKey)).toEqual(winner);
  });

  it('lets exactly one of 50 consumes of one pairing token win across both connections', async () => {
    const path = freshPath();
    const connections = [open(path), open(path)];
    const token = {
      tokenHash: randomBytes(32).toString('hex'),
      userUuid: randomUUID(),
      parentDeviceId: randomUUID(),
      createdAt: 1_800_000_000_000,
      expiresAt: 1_800_000_600_000,
    };
    await (connections[0] as SqliteStores).pairingTokens.create(token);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (connections[i % 2] as SqliteStores).pairingTokens.consume(token.tokenHash, token.createdAt + 1),
      ),
    );
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, record: token }]);
  });

  it('answers StoreUnavailableError when another connection holds the write lock past busyTimeoutMs', async () => {
    const path = freshPath();
    const stores = open(path, { busyTimeoutMs: 50 });
    const user = makeUser();
    await stores.users.create(user);
    const holder = new DatabaseSync(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejection(stores.users.update(user.uuid, { status: 'disabled' }, 1, Date.now()));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toContain('locked');
      expect(error.message).toContain(path);
      // reads are not blocked by a writer in WAL mode
      expect(await stores.users.getByUuid(user.uuid)).toEqual(user);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // and the store works again once the lock is gone
    expect((await stores.users.update(user.uuid, { status: 'disabled' }, 1, Date.now())).version).toBe(2);
  });
});

describe('sqlite adapter: authStateVersion()', () => {
  it('changes after every write to users, devices, refresh families, revoked ids and serials', async () => {
    const stores = open(freshPath());
    const user = makeUser();
    const device = makeDevice({ userUuid: user.uuid });
    const fam = family(user.uuid);
    const seen = new Set<string>([stores.authStateVersion()]);
    const changes = async (label: string, write: () => Promise<unknown>): Promise<void> => {
      await write();
      const version = stores.authStateVersion();
      expect(seen.has(version), `${label} must change the version`).toBe(false);
      seen.add(version);
    };
    await changes('user create', () => stores.users.create(user));
    await changes('user update', () => stores.users.update(user.uuid, { roles: ['admin'] }, 1, 2));
    await changes('device create', () => stores.devices.create(device));
    await changes('device renewal', () =>
      stores.devices.replaceCertificate(user.uuid, device.deviceId, {
        expectedSerialNumber: device.serialNumber,
        fingerprint: randomBytes(32).toString('hex'),
        serialNumber: randomBytes(16).toString('hex'),
        certificatePem: 'pem',
        certificateKey: 'key',
        notAfter: device.notAfter,
      }),
    );
    await changes('device revoke', () => stores.devices.revoke(user.uuid, device.deviceId, 3));
    await changes('family create', () => stores.refreshTokens.create(fam));
    await changes('refresh rotate', () =>
      stores.refreshTokens.rotate(fam.familyId, {
        expectedGeneration: 0,
        generation: 1,
        currentJti: randomUUID(),
        rotatedAt: 4,
      }),
    );
    await changes('family revoke', () => stores.refreshTokens.revoke(fam.familyId, 'logout', 5));
    await changes('jti revoke', () => stores.revocations.revoke(randomUUID(), 1_900_000_000_000));
    await changes('certificate revocation', () =>
      stores.certificateRevocations.add({
        serialNumber: randomBytes(16).toString('hex'),
        userUuid: user.uuid,
        deviceId: device.deviceId,
        revokedAt: 6,
      }),
    );
  });

  it('stays the same after audit, counter, challenge, pairing token and blob writes, and after reads and refused writes', async () => {
    const stores = open(freshPath());
    const user = makeUser();
    await stores.users.create(user);
    const before = stores.authStateVersion();
    await stores.audit.append({ eventId: randomUUID(), type: 'login_success', at: 1, userUuid: user.uuid });
    await stores.counters.increment('login:a', 1_800_000_000_000, 60_000);
    await stores.counters.lock('login:a', 1_800_000_900_000);
    await stores.counters.reset('login:a');
    await stores.challenges.create({ challengeId: randomUUID(), nonce: 'n', createdAt: 1, expiresAt: 2 });
    const token = {
      tokenHash: randomUUID(),
      userUuid: user.uuid,
      parentDeviceId: 'd',
      createdAt: 1,
      expiresAt: 9,
    };
    await stores.pairingTokens.create(token);
    await stores.pairingTokens.consume(token.tokenHash, 2);
    await stores.certificates.put({ userUuid: user.uuid, deviceId: 'd', serialNumber: '01', pem: 'pem' });
    await stores.users.getByUuid(user.uuid);
    await expectConflict(stores.users.create(makeUser({ usernameKey: user.usernameKey })), 'username');
    await expectConflict(stores.users.update(user.uuid, { status: 'disabled' }, 99, 2), 'version');
    expect(stores.authStateVersion()).toBe(before);
  });

  it('changes when another connection commits', async () => {
    const path = freshPath();
    const a = open(path);
    const b = open(path);
    const user = makeUser();
    await a.users.create(user);
    const before = a.authStateVersion();
    expect(a.authStateVersion()).toBe(before);
    await b.users.update(user.uuid, { status: 'disabled' }, user.version, 2);
    const afterUpdate = a.authStateVersion();
    expect(afterUpdate).not.toBe(before);
    await b.revocations.revoke(randomUUID(), 1_900_000_000_000);
    expect(a.authStateVersion()).not.toBe(afterUpdate);
  });

  it('sees a commit by a connection outside this process (no shared write count) from the next event-loop turn', async () => {
    const path = freshPath();
    const a = open(path);
    await a.users.create(makeUser());
    const before = a.authStateVersion();
    // A bare connection stands for another process: its commit reaches `a` only through the engine.
    const other = new DatabaseSync(path);
    try {
      other.exec('CREATE TABLE other_process_write (x INTEGER)');
      await new Promise((resolve) => setImmediate(resolve));
      expect(a.authStateVersion()).not.toBe(before);
    } finally {
      other.close();
    }
  });

  it('throws StoreUnavailableError after close', async () => {
    const stores = createSqliteStores({ path: freshPath(), notifier });
    await stores.close();
    expect(thrown(() => stores.authStateVersion())).toBeInstanceOf(StoreUnavailableError);
  });
});

describe('sqlite adapter: close()', () => {
  it('is idempotent, and every call afterwards rejects with StoreUnavailableError', async () => {
    const path = freshPath();
    const stores = createSqliteStores({ path, notifier });
    const user = makeUser();
    await stores.users.create(user);
    await stores.close();
    await expect(stores.close()).resolves.toBeUndefined();
    const calls: readonly [string, () => Promise<unknown>][] = [
      ['users.ping', () => stores.users.ping()],
      ['users.getByUuid', () => stores.users.getByUuid(user.uuid)],
      ['users.create', () => stores.users.create(makeUser())],
      ['users.update', () => stores.users.update(user.uuid, { status: 'disabled' }, 1, 2)],
      ['users.list', () => stores.users.list({ limit: 5 })],
      ['devices.get', () => stores.devices.get(user.uuid, 'd')],
      ['devices.create', () => stores.devices.create(makeDevice())],
      ['pairingTokens.consume', () => stores.pairingTokens.consume('t', 1)],
      ['challenges.consume', () => stores.challenges.consume('c', 1)],
      ['refreshTokens.get', () => stores.refreshTokens.get('f')],
      ['revocations.isRevoked', () => stores.revocations.isRevoked('j', 1)],
      ['certificateRevocations.list', () => stores.certificateRevocations.list()],
      ['counters.increment', () => stores.counters.increment('k', 1, 10)],
      ['audit.list', () => stores.audit.list({ limit: 5 })],
      ['certificates.get', () => stores.certificates.get('certificates/x/y/z.pem')],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call());
      expect(error, name).toBeInstanceOf(StoreUnavailableError);
      expect(error.message, name).toContain('closed');
    }
  });
});

describe('sqlite adapter: open failures', () => {
  it('refuses a file that is not a SQLite database, naming the path', () => {
    const dir = join(root, randomUUID());
    mkdirSync(dir);
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'these are not the pages of a database, just text that is long enough. '.repeat(20));
    const error = thrown(() => createSqliteStores({ path, notifier }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain(path);
    expect(error.message).toContain('not a database');
  });

  it('refuses a path that is a directory', () => {
    const path = join(root, randomUUID());
    mkdirSync(path);
    const error = thrown(() => createSqliteStores({ path, notifier }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain(path);
  });

  it('refuses a path whose directory cannot be created', () => {
    const blocker = join(root, randomUUID());
    writeFileSync(blocker, 'a file where a directory should be');
    const path = join(blocker, 'sub', 'city.sqlite');
    const error = thrown(() => createSqliteStores({ path, notifier }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain(path);
  });

  it('refuses a database whose schema is newer than this adapter', () => {
    const path = freshPath();
    createSqliteStores({ path, notifier }).close();
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA user_version = 99');
    raw.close();
    const error = thrown(() => createSqliteStores({ path, notifier }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toContain('schema version 99');
    expect(error.message).toContain(path);
  });
});

describe('sqlite adapter: a damaged record row', () => {
  it('answers StoreUnavailableError naming the operation, never a raw parse error', async () => {
    const path = freshPath();
    const stores = open(path);
    const user = makeUser();
    const device = makeDevice({ userUuid: user.uuid });
    const fam = family(user.uuid);
    await stores.users.create(user);
    await stores.devices.create(device);
    await stores.refreshTokens.create(fam);
    await stores.audit.append({ eventId: randomUUID(), type: 'registration', at: 1, userUuid: user.uuid });
    const raw = new DatabaseSync(path);
    for (const table of ['users', 'devices', 'refresh_families', 'audit_events']) {
      raw.exec(`UPDATE ${table} SET record = '{"cut short'`);
    }
    raw.close();
    const reads: [string, Promise<unknown>][] = [
      ['users.getByUuid', stores.users.getByUuid(user.uuid)],
      ['users.list', stores.users.list({ limit: 10 })],
      ['devices.get', stores.devices.get(user.uuid, device.deviceId)],
      ['devices.listByUser', stores.devices.listByUser(user.uuid)],
      ['refreshTokens.get', stores.refreshTokens.get(fam.familyId)],
      [
        'refreshTokens.rotate',
        stores.refreshTokens.rotate(fam.familyId, {
          expectedGeneration: 0,
          generation: 1,
          currentJti: randomUUID(),
          rotatedAt: 2,
        }),
      ],
      ['audit.list', stores.audit.list({ limit: 10 })],
    ];
    for (const [what, read] of reads) {
      const error = await rejection(read);
      expect(error, what).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code, what).toBe('STORE_UNAVAILABLE');
      expect(error.message, what).toContain(`(${what})`);
    }
  });
});

describe('sqlite adapter: wrong input', () => {
  const expectInvalid = (error: Error, parameter: string): void => {
    expect(error).toBeInstanceOf(SqliteInputError);
    expect((error as SqliteInputError).code).toBe('INVALID_ARGUMENT');
    expect((error as SqliteInputError).parameter).toBe(parameter);
    expect(error.message).toContain(`"${parameter}"`);
  };

  it('refuses malformed configuration, naming the parameter', () => {
    const bad: readonly [string, unknown][] = [
      ['config', null],
      ['config', 'city.sqlite'],
      ['path', { notifier }],
      ['path', { path: '', notifier }],
      ['path', { path: 42, notifier }],
      ['path', { path: 'a\u0000b', notifier }],
      ['path', { path: 'x'.repeat(4097), notifier }],
      ['notifier', { path: ':memory:' }],
      ['notifier', { path: ':memory:', notifier: {} }],
      ['busyTimeoutMs', { path: ':memory:', notifier, busyTimeoutMs: -1 }],
      ['busyTimeoutMs', { path: ':memory:', notifier, busyTimeoutMs: 1.5 }],
      ['busyTimeoutMs', { path: ':memory:', notifier, busyTimeoutMs: '5000' }],
      ['busyTimeoutMs', { path: ':memory:', notifier, busyTimeoutMs: 600_001 }],
      ['synchronous', { path: ':memory:', notifier, synchronous: 'off' }],
      ['synchronous', { path: ':memory:', notifier, synchronous: 'FULL' }],
      ['synchronous', { path: ':memory:', notifier, synchronous: 2 }],
    ];
    for (const [parameter, config] of bad) {
      expectInvalid(
        thrown(() => createSqliteStores(config as SqliteStoresConfig)),
        parameter,
      );
    }
  });

  it('refuses wrong-typed, empty and oversized keys and values before touching the database', async () => {
    const stores = open(freshPath());
    const hostile = { $ne: null } as unknown as string;
    const cases: readonly [string, () => Promise<unknown>][] = [
      ['uuid', () => stores.users.getByUuid(hostile)],
      ['uuid', () => stores.users.getByUuid('')],
      ['usernameKey', () => stores.users.getByUsernameKey(42 as unknown as string)],
      ['emailIndex', () => stores.users.getByEmailIndex('e'.repeat(1025))],
      ['user', () => stores.users.create(null as never)],
      ['user.roles[0]', () => stores.users.create(makeUser({ roles: ['root' as never] }))],
      ['user.initialHarmonyToken', () => stores.users.create(makeUser({ initialHarmonyToken: -1 }))],
      ['user.createdAt', () => stores.users.create(makeUser({ createdAt: Number.NaN }))],
      ['user.encrypted.email', () => stores.users.create(makeUser({ encrypted: { email: 7 } as never }))],
      ['user.mynumberIndex', () => stores.users.create(makeUser({ mynumberIndex: null as never }))],
      ['patch.status', () => stores.users.update(randomUUID(), { status: 'gone' as never }, 1, 2)],
      ['expectedVersion', () => stores.users.update(randomUUID(), {}, 1.5, 2)],
      ['limit', () => stores.users.list({ limit: 0 })],
      ['limit', () => stores.users.list({ limit: 1001 })],
      ['options', () => stores.users.list(undefined as never)],
      ['deviceId', () => stores.devices.get(randomUUID(), hostile)],
      ['device.status', () => stores.devices.create(makeDevice({ status: 'lost' as never }))],
      ['update', () => stores.devices.replaceCertificate(randomUUID(), randomUUID(), null as never)],
      ['at', () => stores.devices.revoke(randomUUID(), randomUUID(), Number.POSITIVE_INFINITY)],
      ['tokenHash', () => stores.pairingTokens.consume(hostile, 1)],
      ['now', () => stores.challenges.consume(randomUUID(), Number.NaN)],
      ['rotation', () => stores.refreshTokens.rotate(randomUUID(), null as never)],
      ['family.generation', () => stores.refreshTokens.create({ ...family(), generation: 0.5 })],
      ['jti', () => stores.revocations.isRevoked([] as unknown as string, 1)],
      ['entry.serialNumber', () => stores.certificateRevocations.add({ serialNumber: '' } as never)],
      ['windowMs', () => stores.counters.increment('k', 1, 0)],
      ['event.type', () => stores.audit.append({ eventId: 'e', type: 'hacked' as never, at: 1 })],
      [
        'event.detail.x',
        () => stores.audit.append({ eventId: 'e', type: 'logout', at: 1, detail: { x: {} } as never }),
      ],
      [
        'blob.json',
        () =>
          stores.certificates.put({
            userUuid: 'u',
            deviceId: 'd',
            serialNumber: 's',
            pem: 'p',
            json: [] as never,
          }),
      ],
      [
        'blob.json',
        () =>
          stores.certificates.put({
            userUuid: 'u',
            deviceId: 'd',
            serialNumber: 's',
            pem: 'p',
            json: { n: 1n },
          }),
      ],
      ['key', () => stores.certificates.get(undefined as unknown as string)],
    ];
    for (const [parameter, call] of cases) expectInvalid(await rejection(call()), parameter);
    // nothing above reached the database as a write
    expect((await stores.users.list({ limit: 10 })).items).toEqual([]);
    expect((await stores.audit.list({ limit: 10 })).items).toEqual([]);
  });

  it('refuses a forged or foreign cursor with INVALID_CURSOR', async () => {
    const stores = open(freshPath());
    for (const cursor of [
      '%%%',
      Buffer.from('"x"').toString('base64url'),
      Buffer.from('{"after":1}').toString('base64url'),
    ]) {
      expect(await rejection(stores.users.list({ limit: 2, cursor }))).toMatchObject({
        code: 'INVALID_CURSOR',
      });
    }
    for (const cursor of ['%%%', Buffer.from('{"after":"x"}').toString('base64url')]) {
      expect(await rejection(stores.audit.list({ limit: 2, cursor }))).toMatchObject({
        code: 'INVALID_CURSOR',
      });
    }
  });
});

describe('sql injection: hostile keys are bound as data, never as SQL', () => {
  it('treats quotes, comments and statements in keys as plain values', async () => {
    const stores = open(freshPath());
    const user = makeUser();
    await stores.users.create(user);
    for (const hostile of ["' OR '1'='1", "x'; DROP TABLE users; --", '" OR 1=1 --', '%', '*']) {
      expect(await stores.users.getByUsernameKey(hostile)).toBeUndefined();
      expect(await stores.users.getByUuid(hostile)).toBeUndefined();
      expect(await stores.devices.listByUser(hostile)).toEqual([]);
    }
    const odd = makeUser({ usernameKey: "o'brien; DROP TABLE users; --" });
    await stores.users.create(odd);
    expect(await stores.users.getByUsernameKey(odd.usernameKey)).toEqual(odd);
    expect(await stores.users.getByUuid(user.uuid)).toEqual(user);
  });
});

describe('SQLite service clients', () => {
  const client = (clientId: string) => ({
    clientId,
    name: `svc ${clientId}`,
    secretHash: 'sha256:abc',
    createdAt: 1,
  });

  it('creates, reads, lists by id, refuses a taken id and removes', async () => {
    const stores = open(freshPath());
    const clients = stores.serviceClients!;
    await clients.create(client('orders'));
    await clients.create(client('billing'));
    await expectConflict(clients.create(client('orders')), 'clientId');
    expect(await clients.get('orders')).toEqual(client('orders'));
    expect(await clients.get('nobody')).toBeUndefined();
    expect((await clients.list()).map((c) => c.clientId)).toEqual(['billing', 'orders']);
    expect(await clients.remove('orders')).toBe(true);
    expect(await clients.remove('orders')).toBe(false);
    expect(await clients.get('orders')).toBeUndefined();
  });

  it('are shared by every process on the same file, and concurrent registrations of one id have one winner', async () => {
    const path = freshPath();
    const a = open(path).serviceClients!;
    const b = open(path).serviceClients!;
    const results = await Promise.allSettled([a.create(client('race')), b.create(client('race'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await b.get('race')).toEqual(client('race'));
  });
});
