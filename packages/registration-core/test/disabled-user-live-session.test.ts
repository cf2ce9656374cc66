/**
 * Disabling a user takes effect on live sessions at once: an access token already accepted (and
 * remembered by the access cache) is refused on the next call, on this instance and on another
 * one sharing the database; the refresh token is refused and stays refused after re-enabling;
 * a login is refused with the same INVALID_CREDENTIALS as a wrong password (no account-state
 * oracle), its precise reason only in the audit trail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxNotifier } from '@city/db-integration';
import { createSqliteStores } from '@city/db-integration/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Crypto,
  createCrypto,
  createHarness,
  createTestClock,
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  refreshWithProof,
  signedInUser,
} from './support/auth-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'city-disable-'));
const notifier = new OutboxNotifier({ dir: join(dir, 'outbox') });
const path = join(dir, 'city.db');
let crypto: Crypto;
let first: ReturnType<typeof createSqliteStores>;
/** A second connection to the same file: another API instance. */
let second: ReturnType<typeof createSqliteStores>;
const clock = createTestClock();
const OPERATOR = { operator: 'test' };

beforeAll(async () => {
  crypto = await createCrypto();
  first = createSqliteStores({ path, notifier });
  second = createSqliteStores({ path, notifier });
});
afterAll(async () => {
  await first.close();
  await second.close();
  await notifier.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('disabling a user', () => {
  it('refuses the live access token on every instance, the refresh token, and new logins', async () => {
    const a = createHarness(first, crypto, {}, clock);
    const b = createHarness(second, crypto, {}, clock);
    const victim = await signedInUser(a.auth);
    const token = victim.login.accessToken;
    // Both instances have accepted (and cached) the token.
    await a.auth.me(await a.auth.authenticate(token));
    await b.auth.me(await b.auth.authenticate(token));

    const disabled = await a.auth.setUserStatus(
      OPERATOR,
      { username: victim.reg.username, status: 'disabled' },
      { ip: '192.0.2.7' },
    );
    expect(disabled.status).toBe('disabled');

    await expectAuthError(a.auth.authenticate(token), 'TOKEN_REVOKED');
    await expectAuthError(b.auth.authenticate(token), 'TOKEN_REVOKED');
    await expectAuthError(
      refreshWithProof(b.auth, victim.login.refreshToken, victim.reg.privateKeyPem),
      'TOKEN_REVOKED',
    );

    // The same answer as a wrong password.
    const login = {
      identifier: victim.reg.uuid,
      deviceId: victim.reg.deviceId,
      privateKeyPem: victim.reg.privateKeyPem,
    };
    const refused = await expectAuthError(loginWithSignature(b.auth, login), 'INVALID_CREDENTIALS');
    const wrong = await expectAuthError(
      loginWithSignature(b.auth, { ...login, password: `${PASSWORD}x` }),
      'INVALID_CREDENTIALS',
    );
    expect(refused.message).toBe(wrong.message);

    const trail = await a.auth.listAudit(OPERATOR, { user_uuid: victim.reg.uuid, limit: 50 });
    expect(trail.items.find((e) => e.type === 'user_disabled')).toMatchObject({
      ip: '192.0.2.7',
      detail: { by: 'operator:test' },
    });
    // Both refused logins carry the same clock time, so the newest-first order between them is not
    // defined: look for the disabled account's reason among them.
    expect(
      trail.items
        .filter((e) => e.type === 'login_failure')
        .map((e) => e.reason)
        .sort(),
    ).toEqual(['account_disabled', 'wrong_password']);

    // Re-enabling lets the user log in again, but the sessions ended by the disable stay ended.
    const enabled = await b.auth.setUserStatus(OPERATOR, { user_uuid: victim.reg.uuid, status: 'active' });
    expect(enabled.status).toBe('active');
    await expectAuthError(a.auth.authenticate(token), 'TOKEN_REVOKED');
    await expectAuthError(
      refreshWithProof(a.auth, victim.login.refreshToken, victim.reg.privateKeyPem),
      'TOKEN_REVOKED',
    );
    const again = await loginWithSignature(a.auth, login);
    expect((await b.auth.authenticate(again.accessToken)).userUuid).toBe(victim.reg.uuid);
    const types = (await a.auth.listAudit(OPERATOR, { user_uuid: victim.reg.uuid, limit: 50 })).items.map(
      (e) => e.type,
    );
    expect(types).toContain('user_enabled');
  });

  it('is an admin permission: users and moderators get FORBIDDEN, an admin may', async () => {
    const h = createHarness(first, crypto, {}, clock);
    const admin = await signedInUser(h.auth);
    const moderator = await signedInUser(h.auth);
    const target = await signedInUser(h.auth);
    await h.auth.grantRole(OPERATOR, { user_uuid: admin.reg.uuid, role: 'admin' });
    await h.auth.grantRole(OPERATOR, { user_uuid: moderator.reg.uuid, role: 'moderator' });
    const input = { user_uuid: target.reg.uuid, status: 'disabled' };
    await expectAuthError(h.auth.setUserStatus(target.principal, input), 'FORBIDDEN');
    await expectAuthError(
      h.auth.setUserStatus(await h.auth.authenticate(moderator.login.accessToken), input),
      'FORBIDDEN',
    );
    const adminPrincipal = await h.auth.authenticate(admin.login.accessToken);
    expect((await h.auth.setUserStatus(adminPrincipal, input)).status).toBe('disabled');
    const event = (
      await h.auth.listAudit(adminPrincipal, { user_uuid: target.reg.uuid, limit: 50 })
    ).items.find((e) => e.type === 'user_disabled');
    expect(event?.detail).toEqual({ by: admin.reg.uuid });
  });

  it('validates its input and reports unknown users', async () => {
    const h = createHarness(first, crypto, {}, clock);
    const user = await signedInUser(h.auth);
    await expectAuthError(
      h.auth.setUserStatus(OPERATOR, { username: 'nobody-here', status: 'disabled' }),
      'USER_NOT_FOUND',
    );
    await expectAuthError(
      h.auth.setUserStatus(OPERATOR, { username: '..', status: 'disabled' }),
      'USER_NOT_FOUND',
    );
    for (const bad of [
      { status: 'disabled' },
      { username: user.reg.username, user_uuid: user.reg.uuid, status: 'disabled' },
      { username: user.reg.username, status: 'gone' },
      { username: user.reg.username },
      { username: { $ne: null }, status: 'disabled' },
      { user_uuid: 'x', status: 'disabled' },
      { username: user.reg.username, status: 'disabled', extra: true },
    ]) {
      await expectAuthError(h.auth.setUserStatus(OPERATOR, bad), 'VALIDATION_FAILED');
    }
  });
});
