/**
 * Credentials in caches (RFC 6749 §5.1, RFC 9111 §5.2.2.5): a response carrying a token, a key,
 * a pairing token or personal data must never be kept by a browser, a shared proxy or the back
 * button. Every response is `Cache-Control: no-store` + `Pragma: no-cache` unless its route is
 * one of the few public, non-personal ones that opt out. Checked two ways: every route of the
 * OpenAPI document (so a new route cannot be forgotten), and a full flow whose successful answers
 * really carry the secrets.
 */
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  grantRoles,
  json,
  openTestApp,
  refreshPayload,
  registerAndLogin,
  seedsBody,
  type TestApp,
} from './helpers/test-app.js';

/** Public answers that may be cached, with the Cache-Control each one sends. */
const CACHEABLE: Readonly<Record<string, string>> = {
  'GET /.well-known/jwks.json': 'public, max-age=300',
  'GET /.well-known/oauth-authorization-server': 'public, max-age=300',
  'GET /ca.pem': 'public, max-age=3600',
  'GET /crl': 'no-cache',
};

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => t.close());

function expectNoStore(response: LightMyRequestResponse, what: string): void {
  expect(response.headers['cache-control'], what).toBe('no-store');
  expect(response.headers.pragma, what).toBe('no-cache');
}

describe('every API route defaults to no-store', () => {
  it('answers every OpenAPI operation (success or refusal) with no-store unless it is a public key route', async () => {
    await t.app.ready();
    const paths = (t.app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    const operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { method, path } of operations) {
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.app.inject({
        method: method as 'GET',
        url,
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      });
      const key = `${method} ${path}`;
      if (CACHEABLE[key] !== undefined) {
        expect(response.statusCode, key).toBe(200);
        expect(response.headers['cache-control'], key).toBe(CACHEABLE[key]);
        expect(response.headers.pragma, key).toBeUndefined();
      } else {
        expectNoStore(response, `${key} → ${response.statusCode}`);
      }
    }
  });

  it('keeps no-store on unknown routes, wrong methods and malformed bodies', async () => {
    for (const response of [
      await t.app.inject({ method: 'GET', url: '/no-such-route' }),
      await t.app.inject({ method: 'PATCH', url: '/login' }),
      await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"password":',
      }),
    ]) {
      expectNoStore(response, `${response.statusCode} ${response.body}`);
    }
  });

  it('lets static assets and page HTML be revalidated, never tokens', async () => {
    for (const url of ['/assets/api.js', '/', '/login', '/register', '/pair']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('public, max-age=0');
      expect(response.body, url).not.toMatch(/eyJ|PRIVATE KEY/);
    }
  });
});

describe('credential-bearing answers are not cached', () => {
  it('register (private key once), login, refresh, /me, pairing, redemption, devices and admin listings', async () => {
    const seen: string[] = [];
    const check = (response: LightMyRequestResponse, what: string, status: number) => {
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      expectNoStore(response, what);
      seen.push(what);
    };

    const body = seedsBody({ mynumber: '123456789018' });
    const registered = await t.app.inject({ method: 'POST', url: '/register', payload: body });
    check(registered, 'register', 201);
    const reg = json<{ uuid: string; deviceId: string; privateKeyPem: string; username: string }>(registered);
    expect(reg.privateKeyPem).toContain('PRIVATE KEY');

    const challenge = await t.app.inject({ method: 'POST', url: '/login/challenge' });
    check(challenge, 'login challenge', 200);
    const { challengeId, challenge: nonce } = json<{ challengeId: string; challenge: string }>(challenge);
    const loggedIn = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: {
        identifier: reg.username,
        password: body.password,
        challenge_id: challengeId,
        signature: signChallenge(reg.privateKeyPem, nonce),
        device_id: reg.deviceId,
      },
    });
    check(loggedIn, 'login', 200);
    const tokens = json<{ accessToken: string; refreshToken: string }>(loggedIn);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.accessToken) });
    check(me, '/me', 200);
    expect(json<{ email: string }>(me).email).toBe(body.email);

    const other = await registerAndLogin(t.app);
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      payload: await refreshPayload(t.app, other.refreshToken, other.privateKeyPem),
    });
    check(refreshed, 'refresh', 200);
    expect(json<{ refreshToken: string }>(refreshed).refreshToken).toBeTypeOf('string');

    const pairing = await t.app.inject({
      method: 'POST',
      url: '/pairing-tokens',
      headers: bearer(tokens.accessToken),
    });
    check(pairing, 'pairing token', 201);
    const key = await generateKeyPair('ecdsa-p256');
    const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
    const redeemed = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: {
        pairing_token: json<{ token: string }>(pairing).token,
        username: reg.username,
        password: body.password,
        csr,
      },
    });
    check(redeemed, 'pairing redemption', 201);
    const pairedId = json<{ deviceId: string }>(redeemed).deviceId;

    check(
      await t.app.inject({
        method: 'GET',
        url: '/devices',
        headers: { ...bearer(tokens.accessToken), accept: 'application/json' },
      }),
      'device list',
      200,
    );
    check(
      await t.app.inject({
        method: 'POST',
        url: `/devices/${reg.deviceId}/renew`,
        headers: bearer(tokens.accessToken),
      }),
      'renewal (new server key)',
      200,
    );
    check(
      await t.app.inject({
        method: 'DELETE',
        url: `/devices/${pairedId}`,
        headers: bearer(tokens.accessToken),
      }),
      'device revocation',
      200,
    );

    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const users = await t.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: bearer(admin.accessToken),
    });
    check(users, 'admin user list', 200);
    expect(users.body).toContain(reg.uuid);
    check(
      await t.app.inject({ method: 'GET', url: '/admin/audit', headers: bearer(admin.accessToken) }),
      'admin audit list',
      200,
    );
    check(
      await t.app.inject({
        method: 'PUT',
        url: `/admin/users/${reg.uuid}/roles`,
        headers: bearer(admin.accessToken),
        payload: { roles: ['user'] },
      }),
      'role change',
      200,
    );
    check(
      await t.app.inject({
        method: 'POST',
        url: '/token/revoke',
        payload: { token: other.refreshToken },
      }),
      'token revocation',
      200,
    );
    check(
      await t.app.inject({ method: 'POST', url: '/logout', headers: bearer(tokens.accessToken) }),
      'logout',
      204,
    );
    expect(seen).toHaveLength(15);
  });
});
