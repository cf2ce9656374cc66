/**
 * POST /token/introspect (RFC 7662) through the real app: a registered service authenticates
 * with HTTP Basic (or client_secret_post) and learns whether an access token is active; a
 * logout is seen at once. Token scanning without valid service credentials answers one code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let clientId: string;
let clientSecret: string;

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

beforeAll(async () => {
  t = await openTestApp();
  const client = await t.runtime.auth.addServiceClient(
    { operator: 'test' },
    { client_id: 'orders', name: 'Orders' },
  );
  clientId = client.clientId;
  clientSecret = client.clientSecret;
});
afterAll(async () => t.close());

function introspect(headers: Record<string, string>, payload: unknown, form = false) {
  return t.app.inject({
    method: 'POST',
    url: '/token/introspect',
    headers: form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
    payload: form ? new URLSearchParams(payload as Record<string, string>).toString() : (payload as object),
  });
}

describe('POST /token/introspect', () => {
  it('answers active with the claims, then active: false after logout (JSON and form bodies)', async () => {
    const session = await registerAndLogin(t.app);
    const active = await introspect(basic(clientId, clientSecret), { token: session.accessToken }, true);
    expect(active.statusCode).toBe(200);
    expect(active.headers['cache-control']).toBe('no-store');
    expect(json(active)).toMatchObject({
      active: true,
      token_type: 'Bearer',
      sub: session.uuid,
      device_id: session.deviceId,
      roles: ['user'],
    });
    expect(
      (await t.app.inject({ method: 'POST', url: '/logout', headers: bearer(session.accessToken) }))
        .statusCode,
    ).toBe(204);
    const inactive = await introspect(basic(clientId, clientSecret), {
      token: session.accessToken,
      token_type_hint: 'access_token',
    });
    expect(inactive.statusCode).toBe(200);
    expect(json(inactive)).toEqual({ active: false });
  });

  it('accepts client_secret_post; refuses both methods at once', async () => {
    const session = await registerAndLogin(t.app);
    const post = await introspect(
      {},
      { token: session.accessToken, client_id: clientId, client_secret: clientSecret },
    );
    expect(json(post)).toMatchObject({ active: true });
    const both = await introspect(basic(clientId, clientSecret), {
      token: session.accessToken,
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(both.statusCode).toBe(401);
    expect(json(both)).toMatchObject({ error: { code: 'SERVICE_CLIENT_INVALID' } });
  });

  it('token scanning without service credentials: every wrong credential is 401 SERVICE_CLIENT_INVALID with WWW-Authenticate: Basic', async () => {
    const session = await registerAndLogin(t.app);
    const attempts: Record<string, string>[] = [
      {},
      basic(clientId, `${clientSecret}x`),
      basic('nobody', clientSecret),
      bearer(session.accessToken),
      { authorization: 'Basic !!!' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
    ];
    const bodies = new Set<string>();
    for (const headers of attempts) {
      const response = await introspect(headers, { token: session.accessToken });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="city-chain-auth"');
      bodies.add(response.body);
    }
    expect(bodies.size).toBe(1);
    expect(JSON.parse([...bodies][0]!)).toEqual({
      error: { code: 'SERVICE_CLIENT_INVALID', message: 'The service client credentials are incorrect.' },
    });
  });

  it('malformed bodies from an authenticated service are 4xx with a code, never 5xx', async () => {
    for (const payload of [
      {},
      { token: { $gt: '' } },
      { token: 'x', extra: 'y' },
      { token: 'x'.repeat(20_000) },
    ]) {
      const response = await introspect(basic(clientId, clientSecret), payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 50)).toBe(422);
      expect(json(response)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    const garbage = await introspect(basic(clientId, clientSecret), { token: 'garbage' });
    expect(json(garbage)).toEqual({ active: false });
  });

  it('is named in the RFC 8414 metadata', async () => {
    const metadata = json(
      await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' }),
    );
    expect(metadata).toMatchObject({
      introspection_endpoint: expect.stringMatching(/\/token\/introspect$/),
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });
});
