/**
 * 405 answers come from the router itself: `Allow` lists exactly the methods that reach a route for
 * that URL. The oracle is behavioural: every listed method, sent to the same URL, is answered by a
 * route (never by the not-found handler), and every other method is refused with the same `Allow`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers/test-app.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const ROUTER_CODES = new Set(['NOT_FOUND', 'METHOD_NOT_ALLOWED']);

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => t.close());

function errorCodeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined; // not an error body (a page, a script, or HEAD's empty body)
  }
}

describe('405 Method Not Allowed', () => {
  it.each([
    '/register',
    '/login',
    '/devices/abc',
    '/devices/abc/certificate',
    '/.well-known/jwks.json',
    '/assets/api.js',
    '/openapi.json',
    '/me?x=1',
  ])('%s: Allow lists exactly the methods a route answers', async (url) => {
    const answers = await Promise.all(
      METHODS.map(async (method) => ({ method, response: await t.app.inject({ method, url }) })),
    );
    const refused = answers.filter(({ response }) => response.statusCode === 405);
    expect(refused.length, 'some method is refused').toBeGreaterThan(0);
    const allow = refused[0]?.response.headers.allow;
    expect(typeof allow).toBe('string');
    const allowed = String(allow).split(', ');
    expect(new Set(allowed).size, 'no method listed twice').toBe(allowed.length);
    for (const { method, response } of answers) {
      if (allowed.includes(method)) {
        expect(response.statusCode, `${method} ${url}`).not.toBe(405);
        if (method !== 'HEAD') expect(ROUTER_CODES.has(errorCodeOf(response.body) ?? '')).toBe(false);
      } else if ((METHODS as readonly string[]).includes(method)) {
        expect(response.statusCode, `${method} ${url}`).toBe(405);
        if (method !== 'HEAD') expect(errorCodeOf(response.body)).toBe('METHOD_NOT_ALLOWED');
        expect(response.headers.allow).toBe(allow);
      }
    }
  });

  it('a GET route also allows HEAD, and only the methods registered for it', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('a URL the router serves under no method (trailing slash) is 404 whatever the method', async () => {
    for (const [method, url] of [
      ['PATCH', '/register/'],
      ['PUT', '/devices/abc/'],
      ['DELETE', '/login/'],
    ] as const) {
      const response = await t.app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(errorCodeOf(response.body)).toBe('NOT_FOUND');
      expect(response.headers.allow).toBeUndefined();
    }
  });

  it('a missing static asset is 404, not 405', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/assets/no-such-file.js' });
    expect(response.statusCode).toBe(404);
    expect(errorCodeOf(response.body)).toBe('NOT_FOUND');
  });
});
