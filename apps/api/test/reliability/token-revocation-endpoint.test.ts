/**
 * Attack: using a token after its revocation, and probing the revocation endpoint as
 * an oracle. RFC 7009 §2.2: `POST /token/revoke` answers 200 for valid, invalid, unknown and
 * garbage tokens alike; a revoked access token is refused on the next request by every API
 * instance (here a second instance sharing the same stores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiInstance,
  login,
  openSharedApi,
  refreshBody,
  registerUser,
  type SharedStorage,
  sender,
  startSharedStorage,
} from '../support/reliability-harness.js';

let shared: SharedStorage;
let first: ApiInstance;
let second: ApiInstance;

beforeAll(async () => {
  shared = await startSharedStorage();
  first = await openSharedApi(shared);
  second = await openSharedApi(shared);
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await shared?.close();
});

describe('token revocation endpoint (RFC 7009)', () => {
  it('answers 200 {} with no-store for every kind of token: no validity oracle', async () => {
    const send = sender(first.app);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    const bodies: unknown[] = [
      { token: tokens.refreshToken, token_type_hint: 'refresh_token' },
      { token: tokens.accessToken },
      { token: tokens.accessToken }, // already revoked
      { token: `${tokens.accessToken.slice(0, -4)}AAAA` }, // bad signature
      { token: 'garbage' },
      { token: 'a.b.c' },
      { token: 'x'.repeat(20_000) },
      { token: tokens.accessToken, token_type_hint: 'something_else' },
    ];
    const answers = [];
    for (const body of bodies) answers.push(await send('POST', '/token/revoke', { body }));
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual({});
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const form = await first.app.inject({
      method: 'POST',
      url: '/token/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=garbage&token_type_hint=access_token',
    });
    expect(form.statusCode).toBe(200);
    expect(JSON.parse(form.body)).toEqual({});
  });

  it('a revoked access token is refused on the next request by a second instance sharing the stores', async () => {
    const user = await registerUser(sender(first.app));
    const tokens = await login(sender(first.app), user);
    expect((await sender(second.app)('GET', '/me', { token: tokens.accessToken })).status).toBe(200);
    const revoked = await sender(first.app)('POST', '/token/revoke', { body: { token: tokens.accessToken } });
    expect(revoked.status).toBe(200);
    for (const api of [second, first]) {
      const me = await sender(api.app)('GET', '/me', { token: tokens.accessToken });
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('TOKEN_REVOKED');
    }
  });

  it('a revoked refresh token ends its session on every instance', async () => {
    const user = await registerUser(sender(first.app));
    const tokens = await login(sender(first.app), user);
    const revoked = await sender(second.app)('POST', '/token/revoke', {
      body: { token: tokens.refreshToken, token_type_hint: 'refresh_token' },
    });
    expect(revoked.status).toBe(200);
    const refresh = await sender(first.app)('POST', '/token/refresh', {
      body: await refreshBody(sender(first.app), tokens.refreshToken, user.privateKeyPem),
    });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe('TOKEN_REVOKED');
  });

  it("revoking one token leaves the user's other sessions alone", async () => {
    const user = await registerUser(sender(first.app));
    const a = await login(sender(first.app), user);
    const b = await login(sender(first.app), user);
    await sender(first.app)('POST', '/token/revoke', { body: { token: a.accessToken } });
    expect((await sender(second.app)('GET', '/me', { token: b.accessToken })).status).toBe(200);
  });
});
