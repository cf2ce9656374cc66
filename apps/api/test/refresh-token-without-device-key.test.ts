/**
 * Attacks over HTTP on the session: a refresh token stolen without the device key, and an access
 * token kept from before a refresh and used after the session ended.
 *
 * - A refresh proves possession of the device key; without a valid proof, a live, a rotated and a
 *   garbage token get byte-identical answers and nothing changes.
 * - After logout, every access token of the session is refused on /me and cannot mint a pairing token.
 */
import { generateKeyPair, signChallenge } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  json,
  openTestApp,
  refreshPayload,
  registerAndLogin,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp({ CITY_RATE_LIMIT: '0', CITY_CREDENTIAL_RATE_LIMIT: '0' });
});
afterAll(async () => {
  await t?.close();
});

async function refresh(payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/token/refresh', payload });
}

describe('refresh proof of possession over HTTP', () => {
  it('stolen-refresh-token-without-device-key: the same answer as garbage, with and without a proof attempt', async () => {
    const session = await registerAndLogin(t.app);
    const stranger = await generateKeyPair('ecdsa-p256');
    const noProof = await refresh({ refresh_token: session.refreshToken });
    const garbageNoProof = await refresh({ refresh_token: 'a.b.c' });
    expect(noProof.statusCode).toBe(422);
    expect(noProof.body).toBe(garbageNoProof.body);

    const stolen = await refresh(await refreshPayload(t.app, session.refreshToken, stranger.privateKeyPem));
    const garbage = await refresh(await refreshPayload(t.app, 'a.b.c', stranger.privateKeyPem));
    expect(stolen.statusCode).toBe(401);
    expect(json(stolen)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    expect(stolen.body).toBe(garbage.body);
    expect(stolen.headers['cache-control']).toBe(garbage.headers['cache-control']);

    // The real device's proof still works: nothing was rotated or revoked by the attempts.
    const real = await refresh(await refreshPayload(t.app, session.refreshToken, session.privateKeyPem));
    expect(real.statusCode).toBe(200);
  });

  it('stolen-rotated-refresh-token-inside-grace-window: only the real device gets the pair back', async () => {
    const session = await registerAndLogin(t.app);
    const first = await refresh(await refreshPayload(t.app, session.refreshToken, session.privateKeyPem));
    expect(first.statusCode).toBe(200);
    const stranger = await generateKeyPair('ecdsa-p256');
    const thief = await refresh(await refreshPayload(t.app, session.refreshToken, stranger.privateKeyPem));
    expect(thief.statusCode).toBe(401);
    expect(json(thief)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    expect(JSON.stringify(json(thief))).not.toContain('accessToken');
    const retry = await refresh(await refreshPayload(t.app, session.refreshToken, session.privateKeyPem));
    expect(retry.statusCode).toBe(200);
    expect(json(retry)).toEqual(json(first));
  });

  it('a login challenge signature is no refresh proof; a refresh challenge answers once', async () => {
    const session = await registerAndLogin(t.app);
    const login = json<{ challengeId: string; challenge: string }>(
      await t.app.inject({ method: 'POST', url: '/login/challenge' }),
    );
    const crossed = await refresh({
      refresh_token: session.refreshToken,
      challenge_id: login.challengeId,
      signature: signChallenge(session.privateKeyPem, login.challenge),
    });
    expect(json(crossed)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    const payload = await refreshPayload(t.app, session.refreshToken, session.privateKeyPem);
    const ok = await refresh(payload);
    expect(ok.statusCode).toBe(200);
    const replay = await refresh({
      ...payload,
      refresh_token: json<{ refreshToken: string }>(ok).refreshToken,
    });
    expect(replay.statusCode).toBe(401);
    expect(json(replay)).toMatchObject({ error: { code: 'CHALLENGE_INVALID' } });
  });
});

describe('session end over HTTP', () => {
  it('pre-refresh-access-token-after-logout: /me and /pairing-tokens refuse every access token of the session', async () => {
    const session = await registerAndLogin(t.app);
    const rotated = json<{ accessToken: string }>(
      await refresh(await refreshPayload(t.app, session.refreshToken, session.privateKeyPem)),
    );
    for (const token of [session.accessToken, rotated.accessToken]) {
      expect((await t.app.inject({ method: 'GET', url: '/me', headers: bearer(token) })).statusCode).toBe(
        200,
      );
    }
    const out = await t.app.inject({ method: 'POST', url: '/logout', headers: bearer(rotated.accessToken) });
    expect(out.statusCode).toBe(204);
    for (const token of [session.accessToken, rotated.accessToken]) {
      const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(token) });
      expect(me.statusCode).toBe(401);
      expect(json(me)).toMatchObject({ error: { code: 'TOKEN_REVOKED' } });
      const pairing = await t.app.inject({
        method: 'POST',
        url: '/pairing-tokens',
        headers: bearer(token),
        payload: {},
      });
      expect(pairing.statusCode).toBe(401);
    }
  });
});
