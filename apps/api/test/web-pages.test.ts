import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, openTestApp, registerAndLogin, seedsBody, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('web pages', () => {
  it.each([
    ['/', 'index.html'],
    ['/register', 'register.html'],
    ['/login', 'login.html'],
    ['/pair', 'pair.html'],
  ])('GET %s serves web/%s with the CSP', async (url) => {
    const response = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    // Only same-origin module scripts: no inline script the CSP would refuse.
    for (const tag of response.body.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
      expect(tag).toMatch(/^<script type="module" src="\/assets\/[a-z-]+\.js"><\/script>$/);
    }
    expect(response.body).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('GET /pair serves the pairing page with its script, the token field and the CSP', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/pair?token=abc',
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<script type="module" src="/assets/pair-page.js"></script>');
    for (const name of ['pairing_token', 'username', 'password', 'device_label']) {
      expect(response.body).toContain(`name="${name}"`);
    }
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    const script = await t.app.inject({ method: 'GET', url: '/assets/pair-page.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    const index = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(index.body).toContain('href="/pair"');
  });

  it('every page carries the same head and site header, marking only its own nav link as current', async () => {
    // The pages are static files under a strict CSP with no template step, so the shared chrome is
    // written out in each; this keeps the copies from drifting apart. The 404 page (any missing
    // address) has the same header with no link marked current.
    const pages: readonly (readonly [url: string, current: readonly string[]])[] = [
      ['/', ['/']],
      ['/register', ['/register']],
      ['/login', ['/login']],
      ['/devices', ['/devices']],
      ['/pair', ['/pair']],
      ['/no-such-page', []],
    ];
    const chrome = new Set<string>();
    for (const [url, expectedCurrent] of pages) {
      const body = (await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })).body;
      const header = body.match(/<header class="site-header">[\s\S]*?<\/header>/)?.[0];
      expect(header, url).toBeDefined();
      const current = [...(header ?? '').matchAll(/<a href="([^"]+)"[^>]*aria-current="page"/g)].map(
        (m) => m[1],
      );
      expect(current, url).toEqual(expectedCurrent);
      // Pairing a browser from a device one already has is reachable from every page.
      expect(header, url).toContain('<a href="/pair" data-i18n="nav.pair"');
      const head = body.match(/<head>[\s\S]*?<\/head>/)?.[0] ?? '';
      expect(head, url).toContain('<meta charset="utf-8">');
      expect(head, url).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(head, url).toContain('<link rel="stylesheet" href="/assets/style.css">');
      expect(head, url).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
      chrome.add((header ?? '').replace(' aria-current="page"', ''));
    }
    expect(chrome.size).toBe(1);
  });

  it('has every page string in both English and Japanese', async () => {
    const { DICTIONARY } = (await import(`${t.config.webRoot}/assets/i18n.js`)) as {
      DICTIONARY: { en: Record<string, string>; ja: Record<string, string> };
    };
    expect(Object.keys(DICTIONARY.ja).sort()).toEqual(Object.keys(DICTIONARY.en).sort());
  });

  it('GET /devices serves the page to a browser and JSON to an API client', async () => {
    const page = await t.app.inject({
      method: 'GET',
      url: '/devices',
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const session = await registerAndLogin(t.app);
    const api = await t.app.inject({
      method: 'GET',
      url: '/devices',
      headers: { accept: 'text/html', ...bearer(session.accessToken) },
    });
    expect(api.statusCode).toBe(200);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/devices',
      headers: { accept: 'application/json' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('serves /assets/* and refuses traversal', async () => {
    const { readdirSync } = await import('node:fs');
    const asset = readdirSync(`${t.config.webRoot}/assets`).find((name) => /\.(js|css)$/.test(name));
    expect(asset).toBeDefined();
    const response = await t.app.inject({ method: 'GET', url: `/assets/${asset}` });
    expect(response.statusCode).toBe(200);
    for (const url of [
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/assets/.hidden',
      '/assets/nope.js',
    ]) {
      const refused = await t.app.inject({ method: 'GET', url });
      expect(refused.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(refused.statusCode, url).toBeLessThan(500);
    }
  });
});

describe('passwords never in a URL: the forms post', () => {
  const FORMS = [
    ['/register', '/register'],
    ['/login', '/login'],
    ['/pair', '/devices'],
  ] as const;

  it.each(FORMS)('every form on %s posts to %s', async (page, action) => {
    const response = await t.app.inject({ method: 'GET', url: page, headers: { accept: 'text/html' } });
    const forms = response.body.match(/<form\b[^>]*>/gi) ?? [];
    expect(forms.length, page).toBeGreaterThan(0);
    for (const form of forms) {
      expect(form, page).toMatch(/\smethod="post"/);
      expect(form, page).toContain(`action="${action}"`);
    }
    // Every secret-bearing field of the page sits inside a posting form.
    const inForms = (response.body.match(/<form\b[\s\S]*?<\/form>/gi) ?? []).join('');
    for (const name of response.body.match(/name="(password|mynumber|pairing_token)"/g) ?? []) {
      expect(inForms, `${page} ${name}`).toContain(name);
    }
  });

  it('a script-less submission of the registration form is refused and stores nothing', async () => {
    const body = seedsBody({ mynumber: '123456789018' });
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams(body as Record<string, string>).toString(),
    });
    expect(submitted.statusCode).toBe(415);
    expect(submitted.body).not.toContain(String(body.password));
    // The same username, email and My Number are still free.
    const registered = await t.app.inject({ method: 'POST', url: '/register', payload: body });
    expect(registered.statusCode, registered.body).toBe(201);
  });

  it.each([
    ['/login', { identifier: 'someone', password: 'Form-Password-31' }],
    ['/devices', { pairing_token: 'x', username: 'someone', password: 'Form-Password-31' }],
  ])('a script-less submission to %s is a 4xx, never a 5xx', async (url, fields) => {
    const submitted = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(submitted.statusCode).toBe(415);
  });
});
