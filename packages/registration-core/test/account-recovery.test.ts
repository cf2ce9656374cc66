/**
 * Account recovery with one-time recovery codes: shown once at registration, stored only as
 * keyed hashes, each enrolling one new device together with the password, regenerable from a
 * logged-in device (the old set dies at once), counted against the account lockout before
 * anything is verified, and failing exactly like a wrong password whatever factor was wrong.
 * The race (one code used many times at once) runs on every real engine.
 */
import { createHmac } from 'node:crypto';
import { ConflictError, type Stores } from '@city/ports';
import { describe, expect, it } from 'vitest';
import type { AuthError } from '../src/auth-error.js';
import {
  createCrypto,
  createHarness,
  type EngineFixture,
  expectAuthError,
  loginWithSignature,
  newUserBody,
  PASSWORD,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { createMemoryStores } from './support/memory-stores.js';
import { realEngines, sqliteEngine } from './support/store-engines.js';

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

function recoverBody(username: string, code: string, overrides: Record<string, unknown> = {}) {
  return { username, password: PASSWORD, recovery_code: code, key_algorithm: 'ed25519', ...overrides };
}

/** Every string value stored anywhere in a record, for the "only hashes are stored" check. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

describe('recovery codes (sqlite)', () => {
  const engine = useEngine(sqliteEngine);

  it('registration returns ten distinct 80-bit codes once; the store keeps only their keyed hashes', async () => {
    const h = engine.harness();
    const { reg } = await signedInUser(h.auth);
    expect(reg.recoveryCodes).toHaveLength(10);
    for (const code of reg.recoveryCodes) expect(code).toMatch(CODE);
    expect(new Set(reg.recoveryCodes).size).toBe(10);
    // 16 base32 characters = 80 bits.
    expect(reg.recoveryCodes[0]?.replaceAll('-', '')).toHaveLength(16);

    const set = await h.stores.recoveryCodes.get(reg.uuid);
    expect(set?.codeHashes).toHaveLength(10);
    expect(set?.usedCodeHashes).toEqual([]);
    const stored = strings(set).join('\n').toUpperCase();
    for (const code of reg.recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
    // Not a bare (unkeyed) hash either: SHA-256/HMAC with an empty key of the code would match.
    const unkeyed = createHmac('sha256', '').update(
      `${reg.uuid}:${reg.recoveryCodes[0]?.replaceAll('-', '')}`,
    );
    expect(set?.codeHashes).not.toContain(unkeyed.digest('hex'));
    const audit = await h.stores.audit.list({ userUuid: reg.uuid, limit: 50 });
    expect(audit.items.find((e) => e.type === 'recovery_codes_generated')?.detail).toEqual({
      count: 10,
      regenerated: false,
    });
  });

  it('password + code enrol a new device that logs in; nothing is revoked; the code works once', async () => {
    const h = engine.harness();
    const { reg, principal } = await signedInUser(h.auth);
    const code = reg.recoveryCodes[2] as string;
    const recovered = await h.auth.recoverAccount(
      recoverBody(reg.username, code, { device_label: 'new phone' }),
      {
        ip: '203.0.113.50',
      },
    );
    expect(recovered).toMatchObject({ uuid: reg.uuid, recoveryCodesRemaining: 9 });
    expect(recovered.privateKeyPem).toBeTypeOf('string');
    const login = await loginWithSignature(h.auth, {
      identifier: reg.username,
      deviceId: recovered.deviceId,
      privateKeyPem: recovered.privateKeyPem as string,
    });
    expect(login.user.uuid).toBe(reg.uuid);
    // The old device and its session are untouched: recovery revokes nothing silently.
    const devices = await h.auth.listDevices(principal);
    expect(devices.map((d) => [d.deviceId, d.status]).sort()).toEqual(
      [
        [reg.deviceId, 'active'],
        [recovered.deviceId, 'active'],
      ].sort(),
    );
    expect(devices.find((d) => d.deviceId === recovered.deviceId)?.label).toBe('new phone');
    await expect(h.auth.authenticate(login.accessToken)).resolves.toMatchObject({ userUuid: reg.uuid });

    // Replay of the same code (recovery code reuse).
    await expectAuthError(h.auth.recoverAccount(recoverBody(reg.username, code)), 'INVALID_CREDENTIALS');
    await expect(h.auth.recoveryCodesStatus(principal)).resolves.toMatchObject({ total: 10, remaining: 9 });
    const trail = await h.stores.audit.list({ userUuid: reg.uuid, limit: 50 });
    expect(trail.items.find((e) => e.type === 'login_failure')?.reason).toBe('recovery_code_used');
    expect(trail.items.find((e) => e.type === 'device_added')?.detail).toMatchObject({
      recovery: true,
      recoveryCodesRemaining: 9,
    });
  });

  it('reads the code forgivingly: lower case, spaces, no hyphens, O for 0 and I/L for 1', async () => {
    const h = engine.harness();
    const { reg } = await signedInUser(h.auth);
    const code = reg.recoveryCodes[0] as string;
    const typed = ` ${code.replaceAll('-', ' ').toLowerCase().replaceAll('0', 'o').replaceAll('1', 'l')} `;
    await expect(h.auth.recoverAccount(recoverBody(reg.username, typed))).resolves.toMatchObject({
      uuid: reg.uuid,
    });
  });

  it('without the right password a valid code is refused like a wrong password, and stays unused', async () => {
    const h = engine.harness();
    const { reg } = await signedInUser(h.auth);
    const code = reg.recoveryCodes[0] as string;
    const wrongPassword = await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, code, { password: `${PASSWORD}!` })),
      'INVALID_CREDENTIALS',
    );
    const wrongCode = await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ')),
      'INVALID_CREDENTIALS',
    );
    const unknownUser = await expectAuthError(
      h.auth.recoverAccount(recoverBody(`${reg.username}x`, code)),
      'INVALID_CREDENTIALS',
    );
    const answer = (e: AuthError) => ({ code: e.code, message: e.message, fields: e.fields });
    expect(answer(wrongCode)).toEqual(answer(wrongPassword));
    expect(answer(unknownUser)).toEqual(answer(wrongPassword));
    expect((await h.stores.recoveryCodes.get(reg.uuid))?.usedCodeHashes).toEqual([]);
    await expect(h.auth.recoverAccount(recoverBody(reg.username, code))).resolves.toMatchObject({
      recoveryCodesRemaining: 9,
    });
  });

  it("another account's code is refused (codes are bound to their account)", async () => {
    const h = engine.harness();
    const alice = await signedInUser(h.auth);
    const bob = await signedInUser(h.auth);
    await expectAuthError(
      h.auth.recoverAccount(recoverBody(bob.reg.username, alice.reg.recoveryCodes[0] as string)),
      'INVALID_CREDENTIALS',
    );
    expect((await h.stores.recoveryCodes.get(alice.reg.uuid))?.usedCodeHashes).toEqual([]);
  });

  it('a disabled account cannot recover', async () => {
    const h = engine.harness();
    const { reg } = await signedInUser(h.auth);
    await h.auth.setUserStatus({ operator: 'test' }, { user_uuid: reg.uuid, status: 'disabled' });
    await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, reg.recoveryCodes[0] as string)),
      'INVALID_CREDENTIALS',
    );
  });

  it('regeneration from a logged-in device replaces the set: every old code dies, the new ones work', async () => {
    const h = engine.harness();
    const { reg, principal } = await signedInUser(h.auth);
    const fresh = await h.auth.regenerateRecoveryCodes(principal, {}, { ip: '203.0.113.7' });
    expect(fresh.recoveryCodes).toHaveLength(10);
    for (const code of fresh.recoveryCodes) {
      expect(code).toMatch(CODE);
      expect(reg.recoveryCodes).not.toContain(code);
    }
    await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, reg.recoveryCodes[0] as string)),
      'INVALID_CREDENTIALS',
    );
    await expect(
      h.auth.recoverAccount(recoverBody(reg.username, fresh.recoveryCodes[0] as string)),
    ).resolves.toMatchObject({ recoveryCodesRemaining: 9 });
    const trail = await h.stores.audit.list({ userUuid: reg.uuid, limit: 50 });
    expect(
      trail.items.filter((e) => e.type === 'recovery_codes_generated').map((e) => e.detail),
    ).toContainEqual({
      count: 10,
      regenerated: true,
    });
  });

  it('regeneration needs a live session on an active device', async () => {
    const h = engine.harness();
    const { principal } = await signedInUser(h.auth);
    await h.auth.logout(principal);
    await expectAuthError(h.auth.regenerateRecoveryCodes(principal), 'TOKEN_REVOKED');
    await expectAuthError(h.auth.regenerateRecoveryCodes(principal, { extra: 1 }), 'VALIDATION_FAILED');
  });

  it('recovery guesses count against the account lockout before verification, shared with pairing', async () => {
    const h = engine.harness({ lockout: { accountFreeAttempts: 3, baseLockSeconds: 60 } });
    const { reg } = await signedInUser(h.auth);
    for (let i = 0; i < 3; i++) {
      await expectAuthError(
        h.auth.recoverAccount(recoverBody(reg.username, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ')),
        'INVALID_CREDENTIALS',
      );
    }
    // The fourth guess is admitted once (and locks the account for the next), the fifth waits...
    await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, 'ZZZZ-ZZZZ-ZZZZ-ZZZ0')),
      'INVALID_CREDENTIALS',
    );
    // ...even with the right password and a right code, and for the password guesses of a pairing
    // redemption too (one counter per account).
    const locked = await expectAuthError(
      h.auth.recoverAccount(recoverBody(reg.username, reg.recoveryCodes[0] as string)),
      'ACCOUNT_LOCKED',
    );
    expect(locked.retryAfterSeconds).toBeGreaterThan(0);
    await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        pairing_token: 'A'.repeat(43),
        username: reg.username,
        password: PASSWORD,
      }),
      'ACCOUNT_LOCKED',
    );
    expect((await h.stores.recoveryCodes.get(reg.uuid))?.usedCodeHashes).toEqual([]);
    // Once the lock has passed, the right password and code get through.
    h.clock.advance(61);
    await expect(
      h.auth.recoverAccount(recoverBody(reg.username, reg.recoveryCodes[0] as string)),
    ).resolves.toMatchObject({ uuid: reg.uuid });
  });

  it('refuses malformed bodies with VALIDATION_FAILED naming each field', async () => {
    const h = engine.harness();
    const error = await expectAuthError(
      h.auth.recoverAccount({ username: 'alice', recovery_code: 'not-a-code', key_algorithm: 'md5', x: 1 }),
      'VALIDATION_FAILED',
    );
    expect(error.fields?.map((f) => [f.field, f.code]).sort()).toEqual(
      [
        ['key_algorithm', 'INVALID_FORMAT'],
        ['password', 'REQUIRED'],
        ['recovery_code', 'INVALID_FORMAT'],
        ['x', 'UNKNOWN_FIELD'],
      ].sort(),
    );
    for (const bad of [{ $gt: '' }, ['a'], 42]) {
      await expectAuthError(
        h.auth.recoverAccount({ username: 'alice', password: PASSWORD, recovery_code: bad }),
        'VALIDATION_FAILED',
      );
    }
  });

  it('a certificate request that does not verify spends no code', async () => {
    const h = engine.harness();
    const { reg } = await signedInUser(h.auth);
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n';
    await expectAuthError(
      h.auth.recoverAccount({
        username: reg.username,
        password: PASSWORD,
        recovery_code: reg.recoveryCodes[0] as string,
        csr,
      }),
      'CERTIFICATE_REQUEST_INVALID',
    );
    expect((await h.stores.recoveryCodes.get(reg.uuid))?.usedCodeHashes).toEqual([]);
  });
});

describe('registration is never half-written by its recovery codes', () => {
  it('a failing recovery code write leaves no user, and the device revoked', async () => {
    const crypto = await createCrypto();
    const memory = createMemoryStores();
    const stores: Stores = {
      ...memory,
      recoveryCodes: {
        ...memory.recoveryCodes,
        replace: async () => {
          throw new ConflictError('userUuid');
        },
      },
    };
    const h = createHarness(stores, crypto);
    const body = newUserBody();
    await expectAuthError(h.auth.register(body), 'CONCURRENT_UPDATE');
    expect(await memory.users.getByUsernameKey(String(body.username))).toBeUndefined();
    const registered = memory.auditEvents.filter((e) => e.type === 'registration');
    expect(registered).toEqual([]);
  });
});

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `recovery code race: ${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine: EngineFixture = useEngine(store);
      it('20 concurrent recoveries with one code enrol exactly one device', async () => {
        const h = engine.harness({ lockout: { accountFreeAttempts: 100 } });
        const { reg, principal } = await signedInUser(h.auth);
        const code = reg.recoveryCodes[5] as string;
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => h.auth.recoverAccount(recoverBody(reg.username, code))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected')
            expect((r.reason as { code: string }).code).toBe('INVALID_CREDENTIALS');
        expect(await h.auth.listDevices(principal)).toHaveLength(2);
        expect((await h.stores.recoveryCodes.get(reg.uuid))?.usedCodeHashes).toHaveLength(1);
      });
    },
  );
}
