/**
 * Two header sets: every response carries the API set (no-store, a CSP that loads nothing and
 * allows no framing, nosniff, DENY, CORP, HSTS over TLS); HTML documents carry helmet's whole set on
 * top, exactly what helmet's own middleware writes on a plain `ServerResponse` for the same options.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSecurityHeaders, helmetOptions } from '../src/plugins/security-headers.js';
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

/** Headers only a rendered document uses: never on a JSON answer. */
const DOCUMENT_ONLY = [
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
] as const;

describe('the API set', () => {
  it('over plain HTTP: no-store, nothing loads, no framing, nosniff, same-origin resources, no HSTS', () => {
    expect(apiSecurityHeaders({ tls: false })).toEqual({
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it("over TLS it adds helmet's HSTS header", () => {
    const overTls = apiSecurityHeaders({ tls: true });
    expect(overTls['strict-transport-security']).toBe(
      helmetOnRealResponse(helmetOptions({ tls: true }))['strict-transport-security'],
    );
    expect(overTls['strict-transport-security']).toMatch(/^max-age=\d+/);
  });
});

describe('every response carries the API set, HTML documents helmet on top', () => {
  let t: TestApp;
  const api = apiSecurityHeaders({ tls: false });
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t.close());

  it.each([
    ['health', 'GET', '/health', 200],
    ['JSON', 'GET', '/.well-known/jwks.json', 200],
    ['unknown route', 'GET', '/no-such-route', 404],
    ['method not allowed', 'DELETE', '/login', 405],
    ['authentication missing', 'GET', '/me', 401],
  ] as const)('%s', async (_name, method, url, status) => {
    const response = await t.app.inject({ method, url });
    expect(response.statusCode).toBe(status);
    for (const [name, value] of Object.entries(api)) {
      if (name === 'cache-control' || name === 'pragma') continue; // public routes may opt out
      expect(response.headers[name], name).toBe(value);
    }
    for (const name of DOCUMENT_ONLY) expect(response.headers[name], name).toBeUndefined();
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an authenticated GET /me, twice (the second from the access cache): the API set, no-store', async () => {
    const session = await registerAndLogin(t.app);
    for (let i = 0; i < 2; i++) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(session.accessToken),
      });
      expect(response.statusCode).toBe(200);
      for (const [name, value] of Object.entries(api)) expect(response.headers[name], name).toBe(value);
      for (const name of DOCUMENT_ONLY) expect(response.headers[name], name).toBeUndefined();
    }
  });

  it.each([
    ['a web page', '/login', 200],
    ['the HTML 404 page', '/no-such-page', 404],
  ] as const)(
    '%s: exactly the headers helmet writes on a ServerResponse for its options',
    async (_name, url, status) => {
      const response = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(response.statusCode).toBe(status);
      expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
      const fromHelmet = helmetOnRealResponse(helmetOptions({ tls: false }));
      expect(Object.keys(fromHelmet).length).toBeGreaterThan(5);
      for (const [name, value] of Object.entries(fromHelmet))
        expect(response.headers[name], name).toBe(value);
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(response.headers['x-powered-by']).toBeUndefined();
    },
  );

  it('the API reference page at /docs is a document too', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it("over TLS helmet's document set adds upgrade-insecure-requests", () => {
    const overTls = helmetOnRealResponse(helmetOptions({ tls: true }));
    expect(overTls['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(overTls['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});
