/**
 * Ended-session token replay on a route an embedder adds: `app.authenticate` (the decorator the
 * built-in routes use) refuses an access token once its session is logged out, and a missing
 * token the same way as the built-in routes do.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
  t.app.get('/extension/whoami', { preHandler: t.app.authenticate }, async (request) => ({
    user: request.principal?.userUuid,
  }));
});
afterAll(async () => t.close());

it('an extension route refuses the access token of a logged-out session', async () => {
  const session = await registerAndLogin(t.app);
  const before = await t.app.inject({
    method: 'GET',
    url: '/extension/whoami',
    headers: bearer(session.accessToken),
  });
  expect(before.statusCode).toBe(200);
  expect(json(before)).toEqual({ user: session.uuid });

  const logout = await t.app.inject({ method: 'POST', url: '/logout', headers: bearer(session.accessToken) });
  expect(logout.statusCode).toBeLessThan(300);

  const after = await t.app.inject({
    method: 'GET',
    url: '/extension/whoami',
    headers: bearer(session.accessToken),
  });
  expect(after.statusCode).toBe(401);
  expect(json<{ error: { code: string } }>(after).error.code).toBe('TOKEN_REVOKED');
});

it('an extension route without a bearer token is 401 AUTHENTICATION_REQUIRED with a Bearer challenge', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/extension/whoami' });
  expect(response.statusCode).toBe(401);
  expect(json<{ error: { code: string } }>(response).error.code).toBe('AUTHENTICATION_REQUIRED');
  expect(response.headers['www-authenticate']).toBe('Bearer realm="city-chain-auth"');
});
