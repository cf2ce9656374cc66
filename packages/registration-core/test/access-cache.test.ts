/**
 * The access cache (lib/_access-cache): a token checked once is answered from memory only while
 * nothing it depends on has changed. Every way of taking access away — device revocation, logout,
 * RFC 7009 revocation, a disabled user, a role change, a write by another process on the same
 * database file, expiry — must take effect on the very next call, exactly as without the cache.
 * Store reads are counted through a proxy, so "answered from memory" is observed, not assumed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxNotifier } from '@city/db-integration';
import { createSqliteStores } from '@city/db-integration/sqlite';
import type { Stores } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Crypto,
  createCrypto,
  createHarness,
  createTestClock,
  expectAuthError,
  type Harness,
  loginWithSignature,
  registerWithServerKey,
} from './support/auth-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'city-access-cache-'));
const notifier = new OutboxNotifier({ dir: join(dir, 'outbox') });
const path = join(dir, 'city.db');
let crypto: Crypto;
let sqlite: ReturnType<typeof createSqliteStores>;
/** A second connection to the same file: another process's writes. */
let other: ReturnType<typeof createSqliteStores>;

beforeAll(async () => {
  crypto = await createCrypto();
  sqlite = createSqliteStores({ path, notifier });
  other = createSqliteStores({ path, notifier });
});
afterAll(async () => {
  await sqlite.close();
  await other.close();
  await notifier.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The stores with every port call counted (authStateVersion passes through uncounted). */
function counted(stores: Stores): { stores: Stores; reads: () => number } {
  let calls = 0;
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapped: Stores = {
    users: wrap(stores.users),
    devices: wrap(stores.devices),
    pairingTokens: wrap(stores.pairingTokens),
    challenges: wrap(stores.challenges),
    recoveryCodes: wrap(stores.recoveryCodes),
    refreshTokens: wrap(stores.refreshTokens),
    revocations: wrap(stores.revocations),
    certificateRevocations: wrap(stores.certificateRevocations),
    counters: wrap(stores.counters),
    audit: wrap(stores.audit),
    certificates: wrap(stores.certificates),
    deployment: wrap(stores.deployment),
    notifier: stores.notifier,
    authStateVersion: stores.authStateVersion,
    close: () => stores.close(),
  };
  return { stores: wrapped, reads: () => calls };
}

async function session(h: Harness) {
  const reg = await registerWithServerKey(h.auth);
  const login = await loginWithSignature(h.auth, {
    identifier: reg.username,
    deviceId: reg.deviceId,
    privateKeyPem: reg.privateKeyPem,
  });
  return { reg, login, token: login.accessToken };
}

describe('access cache on the SQLite store', () => {
  it('answers a repeated token from memory: no store call, same principal, me included', async () => {
    const { stores, reads } = counted(sqlite);
    const h = createHarness(stores, crypto);
    const { token, login } = await session(h);
    const first = await h.auth.authenticate(token);
    const me = await h.auth.me(first);
    const before = reads();
    const again = await h.auth.authenticate(token);
    const meAgain = await h.auth.me(again);
    expect(reads()).toBe(before);
    expect(again).toEqual(first);
    expect(meAgain).toEqual(me);
    expect(meAgain.email).toBe(login.user.email);
    // The principal handed out is frozen: a caller cannot poison the next answer.
    expect(Object.isFrozen(again)).toBe(true);
    expect(Object.isFrozen(again.roles)).toBe(true);
  });

  it('a revoked device is refused on the next call', async () => {
    const h = createHarness(sqlite, crypto);
    const { token } = await session(h);
    const principal = await h.auth.authenticate(token);
    await h.auth.authenticate(token);
    await h.auth.revokeDevice(principal, principal.deviceId, {}, { confirmLastDevice: true });
    await expectAuthError(h.auth.authenticate(token), 'TOKEN_REVOKED');
  });

  it('logout and RFC 7009 revocation are refused on the next call', async () => {
    const h = createHarness(sqlite, crypto);
    const a = await session(h);
    const principal = await h.auth.authenticate(a.token);
    await h.auth.logout(principal);
    await expectAuthError(h.auth.authenticate(a.token), 'TOKEN_REVOKED');

    const b = await session(h);
    await h.auth.authenticate(b.token);
    await h.auth.revokeToken({ token: b.token });
    await expectAuthError(h.auth.authenticate(b.token), 'TOKEN_REVOKED');
  });

  it('a change written by another process (another connection to the file) is seen at once', async () => {
    const h = createHarness(sqlite, crypto);
    const { token, reg } = await session(h);
    await h.auth.authenticate(token);
    const user = await other.users.getByUuid(reg.uuid);
    if (user === undefined) throw new Error('user missing');
    await other.users.update(reg.uuid, { status: 'disabled' }, user.version, Date.now());
    await expectAuthError(h.auth.authenticate(token), 'TOKEN_REVOKED');
  });

  it('a role change shows in the next principal and me', async () => {
    const h = createHarness(sqlite, crypto);
    const { token, reg } = await session(h);
    expect((await h.auth.authenticate(token)).roles).toEqual(['user']);
    const user = await sqlite.users.getByUuid(reg.uuid);
    if (user === undefined) throw new Error('user missing');
    await sqlite.users.update(reg.uuid, { roles: ['user', 'moderator'] }, user.version, Date.now());
    const principal = await h.auth.authenticate(token);
    expect(principal.roles).toEqual(['user', 'moderator']);
    expect((await h.auth.me(principal)).roles).toEqual(['user', 'moderator']);
  });

  it('expiry is checked on every hit against the service clock', async () => {
    const clock = createTestClock();
    const h = createHarness(sqlite, crypto, { accessTokenTtlSeconds: 60 }, clock);
    const { token } = await session(h);
    await h.auth.authenticate(token);
    clock.advance(59);
    await h.auth.authenticate(token);
    clock.advance(1);
    await expectAuthError(h.auth.authenticate(token), 'TOKEN_EXPIRED');
  });

  it('a token not yet valid for this clock is not answered from memory', async () => {
    const clock = createTestClock();
    const h = createHarness(sqlite, crypto, {}, clock);
    const { token } = await session(h);
    await h.auth.authenticate(token);
    clock.advance(-10);
    await expectAuthError(h.auth.authenticate(token), 'TOKEN_INVALID');
  });

  it('accessCacheSize 0 turns it off: every call reads the store', async () => {
    const { stores, reads } = counted(sqlite);
    const h = createHarness(stores, crypto, { accessCacheSize: 0 });
    const { token } = await session(h);
    await h.auth.authenticate(token);
    const before = reads();
    await h.auth.authenticate(token);
    expect(reads()).toBeGreaterThan(before);
  });

  it('stores without authStateVersion get no cache', async () => {
    const { stores, reads } = counted(sqlite);
    const h = createHarness({ ...stores, authStateVersion: undefined }, crypto);
    const { token } = await session(h);
    await h.auth.authenticate(token);
    const before = reads();
    await h.auth.authenticate(token);
    expect(reads()).toBeGreaterThan(before);
  });

  it('holds at most accessCacheSize tokens (oldest evicted first)', async () => {
    const { stores, reads } = counted(sqlite);
    const h = createHarness(stores, crypto, { accessCacheSize: 2 });
    const sessions = [await session(h), await session(h), await session(h)];
    for (const s of sessions) await h.auth.authenticate(s.token);
    let before = reads();
    await h.auth.authenticate(sessions[2]?.token as string);
    await h.auth.authenticate(sessions[1]?.token as string);
    expect(reads()).toBe(before);
    before = reads();
    await h.auth.authenticate(sessions[0]?.token as string);
    expect(reads()).toBeGreaterThan(before);
  });

  it('a tampered copy of a cached token is still refused', async () => {
    const h = createHarness(sqlite, crypto);
    const { token } = await session(h);
    await h.auth.authenticate(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'AB' : 'AA'}`;
    await expectAuthError(h.auth.authenticate(`${header}.${payload}.${flipped}`), 'TOKEN_INVALID');
  });
});
