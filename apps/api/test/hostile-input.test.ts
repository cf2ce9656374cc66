/**
 * Hostile input never yields a 5xx: malformed JSON, wrong content types, oversized bodies,
 * operator objects, huge numbers, deep nesting, prototype poisoning, broken PEM/CSR/base64,
 * unknown routes and methods all answer 4xx with a code.
 */
import {
  LoginInputSchema,
  PairedDeviceInputSchema,
  RecoverAccountInputSchema,
  RefreshInputSchema,
  RegisterInputSchema,
} from '@city/registration-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  json,
  openTestApp,
  registerAndLogin,
  type Session,
  seedsBody,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let session: Session;
beforeAll(async () => {
  t = await openTestApp();
  session = await registerAndLogin(t.app);
});
afterAll(async () => {
  await t?.close();
});

function expectCoded4xx(response: { statusCode: number; body: string }, code?: string): void {
  const context = response.body.slice(0, 300);
  expect(response.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, context).toBeLessThan(500);
  const body = json<{ error: { code: string; message: string } }>(response as never);
  expect(body.error.code).toMatch(/^[A-Z_]+$/);
  expect(typeof body.error.message).toBe('string');
  if (code !== undefined) expect(body.error.code).toBe(code);
}

const JSON_ROUTES = [
  '/register',
  '/registration/',
  '/login',
  '/login/challenge',
  '/token/refresh/challenge',
  '/token/refresh',
  '/token/revoke',
  '/devices',
  '/pairing-tokens',
  '/recover',
  '/recovery-codes',
];

describe('malformed bodies', () => {
  it.each(JSON_ROUTES)('%s: malformed JSON → 400 MALFORMED_JSON', async (url) => {
    for (const payload of ['{', '{"a":}', 'nul', '{"a":1}}', '\u0000', '{"username":"x",}']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...bearer(session.accessToken) },
        payload,
      });
      expectCoded4xx(response, 'MALFORMED_JSON');
    }
  });

  it.each(JSON_ROUTES)('%s: wrong content type → 415', async (url) => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'image/png']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': type, ...bearer(session.accessToken) },
        payload: 'username=a',
      });
      if (url === '/token/revoke' && type === 'application/x-www-form-urlencoded') continue;
      expectCoded4xx(response, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('form bodies are refused outside /token/revoke', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'identifier=a&password=b',
    });
    expectCoded4xx(response, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an oversized body → 413 BODY_TOO_LARGE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/register',
      payload: { ...seedsBody(), name: 'x'.repeat(70_000) },
    });
    expectCoded4xx(response, 'BODY_TOO_LARGE');
  });

  it('deep nesting within the size limit → 4xx', async () => {
    const depth = 30_000;
    for (const payload of [
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `{"username":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectCoded4xx(response);
    }
  });

  it('prototype poisoning → 400 MALFORMED_JSON', async () => {
    for (const payload of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectCoded4xx(response, 'MALFORMED_JSON');
    }
  });

  it('non-object bodies → 422 VALIDATION_FAILED', async () => {
    for (const payload of ['[]', '"x"', '42', 'null', 'true', '[{"username":"a"}]']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectCoded4xx(response, 'VALIDATION_FAILED');
    }
  });
});

const FREE_TEXT = new Set(['password', 'name', 'address', 'device_label', 'pkcs12_password']);

describe('hostile field values', () => {
  const values: unknown[] = [
    { $gt: '' },
    { $ne: null },
    ['a'],
    '__HUGE__', // sent as the JSON number 1e400 (Infinity after parsing)
    -1e308,
    '__HUGE_INT__', // sent as the 30-digit JSON number 123456789012345678901234567890
    Number.MAX_SAFE_INTEGER + 2,
    '',
    '\u0000',
    'a\u202eb',
    '𝒰'.repeat(300),
    '-----BEGIN CERTIFICATE REQUEST-----\nnot base64!!\n-----END CERTIFICATE REQUEST-----',
    true,
    null,
  ];
  // The fields come from the request contracts: a field added to a contract is attacked too.
  const routes: [string, string, string[]][] = [
    ['POST', '/register', Object.keys(RegisterInputSchema.properties)],
    ['POST', '/login', Object.keys(LoginInputSchema.properties)],
    ['POST', '/token/refresh', Object.keys(RefreshInputSchema.properties)],
    ['POST', '/devices', Object.keys(PairedDeviceInputSchema.properties)],
    ['POST', '/recover', Object.keys(RecoverAccountInputSchema.properties)],
  ];
  // null is "absent" for optional fields, so a 2xx is legitimate there; a 5xx never is.
  it.each(routes)(
    '%s %s: every field × hostile values → never 5xx, 4xx with a code',
    async (method, url, fields) => {
      for (const field of fields) {
        for (const value of values) {
          const base =
            url === '/register'
              ? seedsBody()
              : url === '/login'
                ? {
                    identifier: session.username,
                    password: 'wrong password!',
                    challenge_id: 'x',
                    signature: 'AA',
                    device_id: session.deviceId,
                  }
                : url === '/devices'
                  ? { pairing_token: 'x'.repeat(43), username: session.username, password: 'wrong password!' }
                  : url === '/recover'
                    ? {
                        username: session.username,
                        password: 'wrong password!',
                        recovery_code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ',
                      }
                    : {};
          const response = await t.app.inject({
            method: method as 'POST',
            url,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ ...base, [field]: value })
              .replace('"__HUGE__"', '1e400')
              .replace('"__HUGE_INT__"', '123456789012345678901234567890'),
          });
          expect(response.statusCode, `${field}=${JSON.stringify(value)}`).toBeLessThan(500);
          if (response.statusCode >= 400) expectCoded4xx(response);
          // A long enough string is a valid password or free text; null is an absent optional field.
          else
            expect(
              value === null ||
                (FREE_TEXT.has(field) && typeof value === 'string' && !String(value).startsWith('__HUGE')),
              `${field}=${JSON.stringify(value)}`,
            ).toBe(true);
        }
      }
    },
  );

  it('an operator object in the login identifier is a per-field INVALID_TYPE', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: { identifier: { $gt: '' }, password: 'x' },
    });
    expectCoded4xx(response, 'VALIDATION_FAILED');
    expect(json(response)).toMatchObject({
      error: { fields: [{ field: 'identifier', code: 'INVALID_TYPE' }] },
    });
  });

  it('hostile path and query parameters → 4xx', async () => {
    for (const url of [
      '/devices/%00',
      `/devices/${'a'.repeat(500)}`,
      '/devices/..%2F..%2Fetc%2Fpasswd',
      '/admin/users?limit=-1',
      '/admin/users?limit=99999999999999999999',
      '/admin/users?limit[$gt]=1',
      `/admin/audit?user_uuid=${'x'.repeat(100)}`,
    ]) {
      const method = url.startsWith('/devices') ? 'DELETE' : 'GET';
      const response = await t.app.inject({ method, url, headers: bearer(session.accessToken) });
      expect(response.statusCode, url).toBeLessThan(500);
      expectCoded4xx(response);
    }
  });

  it('hostile bearer tokens → 401', async () => {
    for (const token of ['x'.repeat(8000), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.', 'a.b.c', '%00']) {
      const response = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(token) });
      expectCoded4xx(response);
      expect(response.statusCode).toBe(401);
    }
  });
});

describe('routing', () => {
  it('an unknown route → 404 NOT_FOUND', async () => {
    expectCoded4xx(await t.app.inject({ method: 'GET', url: '/nope' }), 'NOT_FOUND');
    expectCoded4xx(await t.app.inject({ method: 'GET', url: '/assets/../../package.json' }), 'NOT_FOUND');
  });

  it('a known route with another method → 405 with Allow', async () => {
    const response = await t.app.inject({ method: 'PATCH', url: '/register' });
    expectCoded4xx(response, 'METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toContain('POST');
    const device = await t.app.inject({ method: 'PUT', url: '/devices/abc' });
    expectCoded4xx(device, 'METHOD_NOT_ALLOWED');
    expect(device.headers.allow).toContain('DELETE');
  });

  it('a known route with a trailing slash and an allowed method → 404, not a 405 that allows it', async () => {
    for (const [method, url] of [
      ['GET', '/pair/'],
      ['HEAD', '/login/'],
      ['GET', '/me/'],
      ['POST', '/login/challenge/'],
    ] as const) {
      const response = await t.app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      if (method !== 'HEAD') expectCoded4xx(response, 'NOT_FOUND');
    }
  });
});
