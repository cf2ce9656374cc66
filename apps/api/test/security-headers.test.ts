/**
 * The security headers are helmet's, written on each real reply: they must equal what helmet's own
 * middleware writes on a plain `ServerResponse` for the same options, and every kind of response
 * (JSON, error, unknown route, authenticated route) must carry all of them.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmetOptions } from '../src/plugins/security-headers.js';
import { bearer, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

/** What helmet's middleware sets on a real response object. */
function helmetOnRealResponse(options: HelmetOptions): Record<string, string> {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  response.setHeader('X-Powered-By', 'something');
  helmet(options)(request, response, (error?: unknown) => {
    if (error !== undefined) throw error;
  });
  return Object.fromEntries(Object.entries(response.getHeaders()).map(([k, v]) => [k, String(v)]));
}

describe('helmet runs on the real reply', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t.close());

  it('the API answers with exactly the headers helmet writes on a ServerResponse for its options', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    const fromHelmet = helmetOnRealResponse(helmetOptions({ tls: false }));
    expect(Object.keys(fromHelmet).length).toBeGreaterThan(5);
    for (const [name, value] of Object.entries(fromHelmet)) expect(response.headers[name], name).toBe(value);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('over TLS the options add HSTS and upgrade-insecure-requests', () => {
    const overTls = helmetOnRealResponse(helmetOptions({ tls: true }));
    expect(overTls['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(overTls['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});

describe('every response carries them', () => {
  let t: TestApp;
  let expected: Readonly<Record<string, string>>;
  beforeAll(async () => {
    t = await openTestApp();
    const page = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expected = Object.fromEntries(
      [
        'content-security-policy',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'origin-agent-cluster',
        'referrer-policy',
        'x-content-type-options',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-frame-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ].map((name) => [name, String(page.headers[name])]),
    );
  });
  afterAll(async () => t.close());

  it('over plain HTTP: no HSTS, no upgrade-insecure-requests, frames denied', () => {
    expect(expected['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(expected['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(expected['x-content-type-options']).toBe('nosniff');
    expect(expected['x-frame-options']).toBe('SAMEORIGIN');
  });

  it.each([
    ['JSON', 'GET', '/.well-known/jwks.json', 200],
    ['unknown route', 'GET', '/no-such-route', 404],
    ['method not allowed', 'DELETE', '/login', 405],
    ['authentication missing', 'GET', '/me', 401],
  ] as const)('%s', async (_name, method, url, status) => {
    const response = await t.app.inject({ method, url });
    expect(response.statusCode).toBe(status);
    for (const [name, value] of Object.entries(expected)) expect(response.headers[name], name).toBe(value);
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('an authenticated GET /me, twice (the second from the access cache)', async () => {
    const session = await registerAndLogin(t.app);
    for (let i = 0; i < 2; i++) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(session.accessToken),
      });
      expect(response.statusCode).toBe(200);
      for (const [name, value] of Object.entries(expected)) expect(response.headers[name], name).toBe(value);
    }
  });
});
