/**
 * A browser asking for a page that does not exist gets the site's 404 page (in its language, under the
 * same CSP); API clients keep the JSON error. The site icon is served and cached, so no page logs a 404.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('missing pages', () => {
  it.each(['/no-such-page', '/devices/extra/path', '/assets/missing.css', '/register/'])(
    'GET %s from a browser is the HTML 404 page',
    async (url) => {
      const response = await t.app.inject({
        method: 'GET',
        url,
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
      expect(response.body).toMatch(/^<!doctype html>/);
      expect(response.body).toContain('<header class="site-header">');
      expect(response.body).toContain('<h1 data-i18n="notFound.heading">Page not found</h1>');
      expect(response.body).toContain('<link rel="stylesheet" href="/assets/style.css">');
      expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
    },
  );

  it('is in Japanese for a Japanese reader', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { accept: 'text/html', 'accept-language': 'ja' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).toMatch(/<html lang="ja">/);
    expect(response.body).toContain('ページが見つかりません</h1>');
  });

  it.each([
    ['GET', { accept: 'application/json' }],
    ['GET', {}],
    ['GET', { accept: '*/*' }],
    ['GET', { accept: 'text/html', authorization: 'Bearer x' }],
    ['POST', { accept: 'text/html' }],
  ] as const)('%s %j keeps the JSON NOT_FOUND error', async (method, headers) => {
    const response = await t.app.inject({ method, url: '/no-such-page', headers });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a wrong method on a known route stays a JSON 405 for everyone', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/login', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(405);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });
});

describe('site icon', () => {
  it.each(['/favicon.svg', '/favicon.ico'])('GET %s is the SVG icon, cached for a day', async (url) => {
    const response = await t.app.inject({ method: 'GET', url, headers: { accept: 'image/*' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    expect(response.headers.pragma).toBeUndefined();
    expect(response.body).toBe(readFileSync(join(t.config.webRoot, 'favicon.svg'), 'utf8'));
    expect(response.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(response.body).not.toMatch(/<script|on[a-z]+=/i);
  });
});
