/**
 * Attack: replaying the refresh token of an ended session after the store deleted the session.
 * The embedded SQLite store keeps a user's newest `ENDED_SESSIONS_KEPT_PER_USER` ended sessions
 * (for reuse detection) and deletes older ones when a new session is created. A refresh token of a
 * deleted session must still be refused — with the device's key as proof, so only possession is
 * not the question — with a stable code (`TOKEN_INVALID`: no session is found; while the session
 * existed it was `TOKEN_REVOKED`), must mint nothing, and an access token of it stays refused.
 */
import { ENDED_SESSIONS_KEPT_PER_USER } from '@city/db-integration/sqlite';
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  loginWithSignature,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { sqliteEngine } from './support/store-engines.js';

describe('a refresh token of a session deleted past the per-user cap', () => {
  const engine = useEngine(sqliteEngine);

  it('is refused with TOKEN_INVALID (it was TOKEN_REVOKED before), and its access token with TOKEN_REVOKED', async () => {
    const h = engine.harness();
    const { reg, login } = await signedInUser(h.auth);
    const device = { identifier: reg.uuid, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem };
    const ended = await h.auth.authenticate(login.accessToken);
    await h.auth.logout(ended);
    await expectAuthError(refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem), 'TOKEN_REVOKED');

    // ENDED_SESSIONS_KEPT_PER_USER more sessions, each ended, then one more session pushes the first out.
    for (let i = 0; i < ENDED_SESSIONS_KEPT_PER_USER; i += 1) {
      h.clock.advance(1);
      const next = await loginWithSignature(h.auth, device);
      await h.auth.logout(await h.auth.authenticate(next.accessToken));
    }
    h.clock.advance(1);
    const live = await loginWithSignature(h.auth, device);
    const first = await h.auth.authenticate(live.accessToken);
    expect(await engine.stores.refreshTokens.get(ended.sessionId)).toBeUndefined();

    const sessions = await engine.stores.refreshTokens.listByUser(reg.uuid);
    expect(sessions.filter((s) => s.status === 'revoked')).toHaveLength(ENDED_SESSIONS_KEPT_PER_USER);
    expect(sessions.filter((s) => s.status === 'active').map((s) => s.familyId)).toEqual([first.sessionId]);

    await expectAuthError(refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem), 'TOKEN_INVALID');
    await expectAuthError(h.auth.authenticate(login.accessToken), 'TOKEN_REVOKED');
    // The live session is untouched.
    const rotated = await refreshWithProof(h.auth, live.refreshToken, reg.privateKeyPem);
    expect((await h.auth.authenticate(rotated.accessToken)).sessionId).toBe(first.sessionId);
  });
});
