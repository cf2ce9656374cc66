/**
 * The web pages as people use them, in real headless Chromium (Debian `chromium`, driven by playwright-core)
 * against the real API: every page, the API reference (/docs) and the 404 page load without a script error,
 * a Content Security Policy violation (`securitypolicyviolation` events and DevTools console) or a failed
 * request; the pairing QR code, read from a screenshot by an independent decoder (jsQR), is the https link
 * that opens /pair filled in; a browser without a device key is sent to /pair; pages arrive in the language
 * of Accept-Language unless the user chose one; Japanese field messages are per field, in words.
 */

import { existsSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

// jsqr is CommonJS with an ES-style `export default` in its types: at run time the default import
// is the function itself.
type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: DecodeQr }).default ?? jsQRModule) as unknown as DecodeQr;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

type Strings = { en: Record<string, string>; ja: Record<string, string> };

/** Collects CSP violations as the page sees them, from the first script on. */
const CSP_LISTENER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI + ' ' + event.sourceFile + ':' + event.lineNumber);
  });
`;

describe.skipIf(!existsSync(CHROMIUM))('the pages as people use them, in headless Chromium', () => {
  let t: TestApp;
  let url = '';
  let browser: Browser;
  let DICTIONARY: Strings;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await openTestApp();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    ({ DICTIONARY } = (await import(`${t.config.webRoot}/assets/i18n.js`)) as { DICTIONARY: Strings });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ locale: 'en-US', ...options });
    context.setDefaultTimeout(10_000);
    await context.addInitScript(CSP_LISTENER);
    contexts.push(context);
    return context;
  }

  /** Everything that went wrong on `page`: script errors, console errors, failed or refused requests. */
  function watch(page: Page, expectedStatus: (responseUrl: string) => number | undefined = () => undefined) {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // The answer the test expects (the 404 page, a 422 for a bad form) is logged too; anything else is a problem.
      const expected = expectedStatus(message.location().url);
      if (expected !== undefined && message.text().includes(`status of ${expected}`)) return;
      problems.push(`console: ${message.text()}`);
    });
    page.on('requestfailed', (request) => {
      const error = request.failure()?.errorText;
      // The browser's own icon fetch is cancelled when the test navigates on before it finished.
      if (error === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/favicon.svg') return;
      problems.push(`failed: ${request.url()} ${error}`);
    });
    page.on('response', (response) => {
      const expected = expectedStatus(response.url());
      if (response.status() >= 400 && response.status() !== expected) {
        problems.push(`${response.status()}: ${response.url()}`);
      }
    });
    return problems;
  }

  async function cspViolations(page: Page): Promise<string[]> {
    return (await page.evaluate('window.__cspViolations')) as string[];
  }

  it.each([
    ['/', 200],
    ['/register', 200],
    ['/login', 200],
    ['/pair', 200],
    ['/devices', 200],
    ['/docs', 200],
    ['/no-such-page', 404],
  ] as const)('%s loads without script errors, CSP violations or failed requests', async (path, status) => {
    const context = await newContext();
    const page = await context.newPage();
    const problems = watch(page, (responseUrl) => (responseUrl === `${url}${path}` ? status : undefined));
    const response = await page.goto(`${url}${path}`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(status);
    if (path === '/docs') {
      // The reference rendered: Swagger UI drew the operations from /openapi's document.
      await page.locator('.swagger-ui .opblock').first().waitFor();
    } else {
      await expect(page.locator('header.site-header nav a[href="/pair"]').count()).resolves.toBe(1);
      // The icon the page names is served.
      const icon = await page.locator('link[rel="icon"]').getAttribute('href');
      const fetched = await context.request.get(`${url}${icon}`);
      expect(fetched.status()).toBe(200);
      expect(fetched.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    }
    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('the 404 page is the site’s page, in the reader’s language, with a way home', async () => {
    const context = await newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const response = await page.goto(`${url}/nowhere/at/all`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      DICTIONARY.ja['notFound.heading'],
    );
    await page.getByRole('main').getByRole('link', { name: DICTIONARY.ja['notFound.home'] }).click();
    await page.waitForURL(`${url}/`);
    // API clients still get JSON.
    const api = await context.request.get(`${url}/nowhere`, { headers: { accept: 'application/json' } });
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('the pairing QR code is the https link to /pair, which fills the token in on the phone and drops it from the address bar', async () => {
    const session = await registerAndLogin(t.app);
    const context = await newContext();
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${url}/login`);
    await page.evaluate((value) => sessionStorage.setItem('city.session', value), JSON.stringify(session));
    await page.goto(`${url}/devices`);
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Pair a new device' }).click();
    const qr = page.getByRole('img', { name: 'QR code for pairing a new device' });
    await qr.waitFor({ state: 'visible' });
    const token = (await page.locator('#pairing-token').textContent()) ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Independent reading: a screenshot of what is on screen, decoded by jsQR.
    const png = PNG.sync.read(await qr.screenshot());
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`${url}/pair?token=${token}`);
    await expect(page.locator('#pairing-link').getAttribute('href')).resolves.toBe(decoded?.data);

    // The phone's camera opens the link.
    const phone = await newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const phonePage = await phone.newPage();
    const phoneProblems = watch(phonePage);
    await phonePage.goto(decoded?.data ?? '');
    await expect(phonePage.getByLabel('Pairing token').inputValue()).resolves.toBe(token);
    expect(new URL(phonePage.url()).search).toBe('');
    // Back leaves the page: no history entry kept the token.
    await phonePage.goBack();
    expect(phonePage.url()).not.toContain(token);
    expect(await cspViolations(page)).toEqual([]);
    expect([...problems, ...phoneProblems]).toEqual([]);
  });

  it('logging in from a browser without a device key for the account points to /pair, not to registration', async () => {
    const session = await registerAndLogin(t.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    await page.getByLabel('Username, email or uuid').fill(session.username);
    await page.getByLabel('Password').fill(session.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await page.locator('#error[data-code="NO_DEVICE_KEY"]').waitFor();
    await expect(alert.textContent()).resolves.not.toMatch(/register/i);
    await expect(alert.locator('a').getAttribute('href')).resolves.toBe('/pair');
    await alert.getByRole('link', { name: DICTIONARY.en['login.pairLink'] }).click();
    await page.waitForURL(`${url}/pair`);
    await page.getByLabel('Pairing token').waitFor();
  });

  it('sends every page in the language of Accept-Language, before any script runs', async () => {
    const context = await newContext({ locale: 'ja-JP', javaScriptEnabled: false });
    const page = await context.newPage();
    for (const [path, key] of [
      ['/', 'index.heading'],
      ['/login', 'login.heading'],
      ['/pair', 'pair.heading'],
      ['/register', 'register.heading'],
    ] as const) {
      await page.goto(`${url}${path}`);
      expect(await page.locator('html').getAttribute('lang'), path).toBe('ja');
      await expect(page.getByRole('heading', { level: 1 }).textContent(), path).resolves.toBe(
        DICTIONARY.ja[key],
      );
      await expect(
        page.getByRole('navigation').getByRole('link', { name: DICTIONARY.ja['nav.pair'] }).count(),
      ).resolves.toBe(1);
    }
  });

  it('the language the user picks wins over Accept-Language, on the server too', async () => {
    const context = await newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('ログイン');
    await page.getByLabel('言語').selectOption('en');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Log in');
    // The next page arrives in English from the server, though the browser still prefers Japanese.
    const response = await page.goto(`${url}/pair`);
    expect(response?.request().headers()['accept-language']).toMatch(/^ja/);
    const served = (await response?.text()) ?? '';
    expect(served).toMatch(/<html lang="en">/);
    expect(served).toContain(`<h1 data-i18n="pair.heading">${DICTIONARY.en['pair.heading']}</h1>`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('shows Japanese field messages per field, in words: no JSON names or codes', async () => {
    const context = await newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    const problems = watch(page, (responseUrl) => (responseUrl === `${url}/register` ? 422 : undefined));
    await page.goto(`${url}/register`);
    await page.getByLabel('ユーザー名').fill('ab');
    await page.getByLabel('メールアドレス').fill('not-an-email');
    await page.getByLabel('パスワード', { exact: true }).fill('short');
    await page.getByLabel('電話番号').fill('call me');
    await page.getByRole('button', { name: DICTIONARY.ja['register.submit'] }).click();
    await page.locator('#error[data-code="VALIDATION_FAILED"]').waitFor();
    const notes = await page.locator('.field-error').evaluateAll((elements) =>
      elements.map((element) => ({
        id: element.id,
        code: element.getAttribute('data-code') ?? '',
        text: element.textContent ?? '',
      })),
    );
    const byField = new Map(notes.map((note) => [note.id.replace(/-error$/, ''), note]));
    expect([...byField.keys()].sort()).toEqual(['email', 'password', 'phone', 'username']);
    for (const [field, note] of byField) {
      // The field's own sentence from the page dictionary, in Japanese.
      expect(note.text, field).toBe(DICTIONARY.ja[`fieldIssue.${field}.${note.code}`]);
      expect(note.text, field).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(new Set(notes.map((note) => note.text)).size).toBe(notes.length);
    const alertText = (await page.getByRole('alert').textContent()) ?? '';
    expect(alertText).toContain(DICTIONARY.ja['error.VALIDATION_FAILED']);
    expect(alertText).not.toMatch(/username|email|password|phone|fields|[A-Z]{2,}_[A-Z]/);
    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
