/**
 * Attack: keeping an access token from before a refresh and using it after the session ended.
 * Logout, RFC 7009 revocation of the refresh token, refresh-token reuse and device revocation
 * end the session (refresh family, the token's `sid`); every access token ever issued in it —
 * not only the one from the latest rotation — must then be refused, and nothing may be minted
 * from it (pairing tokens, device changes), on this instance and on any other instance sharing
 * the stores, through the access cache too.
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
  type Harness,
  loginWithSignature,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

/** A session refreshed twice: the first two access tokens are from before the latest rotation. */
async function refreshedSession(h: Harness) {
  const { reg, login } = await signedInUser(h.auth);
  const second = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
  const third = await refreshWithProof(h.auth, second.refreshToken, reg.privateKeyPem);
  // Every token of the session answers before it ends (so a refusal below is the session's end).
  for (const token of [login.accessToken, second.accessToken, third.accessToken]) {
    await h.auth.authenticate(token);
  }
  return { reg, login, second, third, tokens: [login.accessToken, second.accessToken, third.accessToken] };
}

async function expectAllRefused(h: Harness, tokens: readonly string[]): Promise<void> {
  for (const token of tokens) await expectAuthError(h.auth.authenticate(token), 'TOKEN_REVOKED');
}

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);

      it('access-token-after-logout: every access token of the session is refused, none can mint a pairing token', async () => {
        const h = engine.harness();
        const { tokens } = await refreshedSession(h);
        const stale = await h.auth.authenticate(tokens[0] as string);
        await h.auth.logout(await h.auth.authenticate(tokens[2] as string));
        await expectAllRefused(h, tokens);
        // A principal obtained before the logout mints nothing after it.
        await expectAuthError(h.auth.requestPairingToken(stale), 'TOKEN_REVOKED');
        await expectAuthError(h.auth.renewDeviceCertificate(stale), 'TOKEN_REVOKED');
        await expectAuthError(h.auth.revokeDevice(stale, stale.deviceId), 'TOKEN_REVOKED');
        expect((await h.stores.devices.get(stale.userUuid, stale.deviceId))?.status).toBe('active');
      });

      it('pre-refresh-access-token-after-family-revoked: RFC 7009 revocation of the refresh token ends every access token', async () => {
        const h = engine.harness();
        const { third, tokens } = await refreshedSession(h);
        await h.auth.revokeToken({ token: third.refreshToken, token_type_hint: 'refresh_token' });
        await expectAllRefused(h, tokens);
      });

      it('pre-refresh-access-token-after-refresh-reuse: reuse detection ends every access token', async () => {
        const h = engine.harness({ refreshGraceSeconds: 0 });
        const { reg, login, tokens } = await refreshedSession(h);
        await expectAuthError(
          refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
          'REFRESH_TOKEN_REUSED',
        );
        await expectAllRefused(h, tokens);
      });

      it('pre-refresh-access-token-after-device-revoked: revoking the device from another one ends every access token', async () => {
        const h = engine.harness();
        const { reg, tokens } = await refreshedSession(h);
        // A second device of the same user revokes the first.
        const pairing = await h.auth.requestPairingToken(await h.auth.authenticate(tokens[2] as string));
        const paired = await h.auth.registerDeviceWithPairingToken({
          pairing_token: pairing.token,
          username: reg.username,
          password: 'violet tractor umbrella 42',
          key_algorithm: 'ed25519',
        });
        const other = await loginWithSignature(h.auth, {
          identifier: reg.uuid,
          deviceId: paired.deviceId,
          privateKeyPem: paired.privateKeyPem as string,
        });
        await h.auth.revokeDevice(await h.auth.authenticate(other.accessToken), reg.deviceId);
        await expectAllRefused(h, tokens);
        // The other device's session is untouched.
        await h.auth.authenticate(other.accessToken);
      });

      it('access-token-after-logout-on-another-instance: a second service over the same stores refuses every token at once', async () => {
        const a = engine.harness();
        const b = engine.harness();
        const { tokens } = await refreshedSession(a);
        for (const token of tokens) await b.auth.authenticate(token);
        await b.auth.logout(await b.auth.authenticate(tokens[1] as string));
        await expectAllRefused(a, tokens);
        await expectAllRefused(b, tokens);
      });
    },
  );
}

describe('access cache, two processes on one SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-session-end-'));
  const notifier = new OutboxNotifier({ dir: join(dir, 'outbox') });
  let crypto: Crypto;
  let first: ReturnType<typeof createSqliteStores>;
  let second: ReturnType<typeof createSqliteStores>;
  beforeAll(async () => {
    crypto = await createCrypto();
    first = createSqliteStores({ path: join(dir, 'city.db'), notifier });
    second = createSqliteStores({ path: join(dir, 'city.db'), notifier });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await notifier.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pre-refresh-access-token-after-logout-elsewhere: tokens cached by one instance die when another logs out', async () => {
    const clock = createTestClock();
    const a = createHarness(first, crypto, {}, clock);
    const b = createHarness(second, crypto, {}, clock);
    const { tokens } = await refreshedSession(a);
    // Cached on A (the second call of each is answered from memory).
    for (const token of tokens) await a.auth.authenticate(token);
    await b.auth.logout(await b.auth.authenticate(tokens[2] as string));
    await expectAllRefused(a, tokens);
  });

  it('pre-refresh-access-token-after-revocation-elsewhere: RFC 7009 on another instance reaches the cached tokens', async () => {
    const clock = createTestClock();
    const a = createHarness(first, crypto, {}, clock);
    const b = createHarness(second, crypto, {}, clock);
    const { third, tokens } = await refreshedSession(a);
    for (const token of tokens) await a.auth.authenticate(token);
    await b.auth.revokeToken({ token: third.refreshToken });
    await expectAllRefused(a, tokens);
  });
});
