/**
 * The web pages in real headless Chromium (Debian `chromium`, driven by playwright-core) against the real API:
 * registration with a browser-made non-extractable ECDSA P-256 key and PKCS#10 CSR, login with a challenge
 * signature, the devices page (pairing QR, revocation of a second device added through a pairing token), a
 * second browser joining the account on /pair with the shown token and logging in with its own key,
 * the Japanese/English switch and the error display.
 *
 * Independent oracles: node:crypto (OpenSSL) checks that the issued certificate carries the browser's public key
 * and that the login signature the page sent verifies over the server's challenge.
 */

import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedAuth } from '@city/auth-runtime';
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';

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

const USERNAME = 'hanako.web';
const EMAIL = 'hanako.web@example.jp';
const PASSWORD = 'sakura-gold-river-42';

interface BrowserTestServer {
  readonly url: string;
  /** Moves the server clock forward (token expiry without sleeping). */
  advanceClock(milliseconds: number): void;
  caCertificatePem(): Promise<string>;
  close(): Promise<void>;
}

/** The real API on the embedded runtime (SQLite `city.db` under a temp directory) on a free local port. */
async function startBrowserTestServer(): Promise<BrowserTestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'city-browser-test-'));
  let offset = 0;
  const runtime = await openEmbeddedAuth({ dataDir, clock: { now: () => Date.now() + offset } });
  const config = loadConfig({ CITY_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' });
  const app = await buildApp({ auth: runtime.auth, config, logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    advanceClock: (milliseconds) => {
      offset += milliseconds;
    },
    caCertificatePem: async () => (await fetch(`${url}/ca.pem`)).text(),
    close: async () => {
      await app.close();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface StoredKeyReport {
  readonly spkiBase64: string;
  readonly extractable: boolean;
  readonly pkcs8ExportRefused: boolean;
  readonly accounts: string;
}

/** The device key `target` stored for `uuid` (public half, whether the private half can leave) and its account list. */
async function storedKeyReport(target: Page, uuid: string): Promise<StoredKeyReport> {
  return (await target.evaluate(`(async () => {
    const { loadDeviceKey } = await import('/assets/device-key.js');
    const pair = await loadDeviceKey(${JSON.stringify(uuid)});
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    let pkcs8ExportRefused = false;
    try { await crypto.subtle.exportKey('pkcs8', pair.privateKey); } catch { pkcs8ExportRefused = true; }
    return {
      spkiBase64: btoa(String.fromCharCode(...spki)),
      extractable: pair.privateKey.extractable,
      pkcs8ExportRefused,
      accounts: localStorage.getItem('city.accounts') ?? '',
    };
  })()`)) as StoredKeyReport;
}

interface CapturedLogin {
  /** The challenge the server gave the page. */
  readonly challenge: { readonly challengeId: string; readonly challenge: string };
  /** The body the page posted to `/login`. */
  readonly login: Record<string, string>;
}

/**
 * Logs in on `target` (already on `/login`) and records the challenge on its way to the page
 * (the page navigates away before a response body could be read) and the login body it sent.
 */
async function logInCapturingChallenge(
  target: Page,
  username: string,
  password: string,
): Promise<CapturedLogin> {
  await target.getByLabel('Username, email or uuid').fill(username);
  await target.getByLabel('Password').fill(password);
  let challenge = { challengeId: '', challenge: '' };
  await target.route('**/login/challenge', async (route) => {
    const response = await route.fetch();
    challenge = (await response.json()) as typeof challenge;
    await route.fulfill({ response });
  });
  const loginPromise = target.waitForRequest((r) => r.url().endsWith('/login') && r.method() === 'POST');
  await target.getByRole('button', { name: 'Log in' }).click();
  const login = (await loginPromise).postDataJSON() as Record<string, string>;
  await target.unroute('**/login/challenge');
  return { challenge, login };
}

describe.skipIf(!existsSync(CHROMIUM))(
  'web pages in headless Chromium (install Debian package chromium)',
  () => {
    let server: BrowserTestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      server = await startBrowserTestServer();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      context = await browser.newContext({ locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      page = watch(await context.newPage());
    });

    /** Records script errors and CSP refusals of `target` for the final test. */
    function watch(target: Page): Page {
      target.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      target.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
          problems.push(`csp: ${message.text()}`);
        }
      });
      return target;
    }

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    let uuid = '';
    let firstDeviceId = '';
    let certificatePem = '';

    it('serves the index page with links to register, log in, pair and devices', async () => {
      await page.goto(`${server.url}/`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('City Chain Auth');
      for (const [name, href] of [
        ['Register', '/register'],
        ['Log in', '/login'],
        ['Add this device', '/pair'],
        ['Devices', '/devices'],
      ] as const) {
        await expect(page.getByRole('main').getByRole('link', { name }).getAttribute('href')).resolves.toBe(
          href,
        );
      }
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
    });

    it('registers with a device key made in the browser and a CSR the server accepts', async () => {
      await page.goto(`${server.url}/register`);
      await page.getByLabel('Username').fill(USERNAME);
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Name of this device').fill('web browser');
      const requestPromise = page.waitForRequest(
        (r) => r.url().endsWith('/register') && r.method() === 'POST',
      );
      await page.getByRole('button', { name: 'Register' }).click();
      const request = await requestPromise;
      const sent = request.postDataJSON() as { csr?: unknown; username?: unknown };
      expect(sent.username).toBe(USERNAME);
      expect(String(sent.csr)).toMatch(
        /^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n$/,
      );

      await page.locator('#result').waitFor({ state: 'visible' });
      uuid = (await page.locator('#result-uuid').textContent()) ?? '';
      firstDeviceId = (await page.locator('#result-device').textContent()) ?? '';
      expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(firstDeviceId).not.toBe('');

      const report = await storedKeyReport(page, uuid);
      expect(report.extractable).toBe(false);
      expect(report.pkcs8ExportRefused).toBe(true);

      const accounts = JSON.parse(report.accounts) as {
        uuid: string;
        deviceId: string;
        certificatePem: string;
      }[];
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.uuid).toBe(uuid);
      expect(accounts[0]?.deviceId).toBe(firstDeviceId);
      certificatePem = accounts[0]?.certificatePem ?? '';
      expect(report.accounts).not.toMatch(/PRIVATE KEY/);

      // The certificate the CA issued from the browser's CSR carries exactly the browser's public key.
      const certificate = new X509Certificate(certificatePem);
      const certificateSpki = certificate.publicKey
        .export({ format: 'der', type: 'spki' })
        .toString('base64');
      expect(certificateSpki).toBe(report.spkiBase64);
      const caPem = await server.caCertificatePem();
      expect(certificate.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    });

    it('logs in with password and a challenge signature from the device key', async () => {
      await page.goto(`${server.url}/login`);
      const { challenge, login } = await logInCapturingChallenge(page, USERNAME, PASSWORD);
      expect(login).toMatchObject({
        identifier: USERNAME,
        proof: 'signature',
        challenge_id: challenge.challengeId,
        device_id: firstDeviceId,
      });
      // Independent check of what the page signed: P1363 r||s over the exact UTF-8 challenge.
      const signature = Buffer.from(login.signature ?? '', 'base64url');
      expect(signature).toHaveLength(64);
      const key = new X509Certificate(certificatePem).publicKey;
      expect(
        verifySignature(
          'sha256',
          Buffer.from(challenge.challenge, 'utf8'),
          { key, dsaEncoding: 'ieee-p1363' },
          signature,
        ),
      ).toBe(true);

      await page.waitForURL(`${server.url}/devices`);
      await page.locator('#signed-in').waitFor({ state: 'visible' });
      await expect(page.locator('#who').textContent()).resolves.toContain(USERNAME);
      const session = await page.evaluate(() => sessionStorage.getItem('city.session'));
      expect(session).toContain('accessToken');
    });

    it('marks the current device and shows the pairing QR code with its token', async () => {
      const current = page.locator(`#device-rows tr[data-device-id="${firstDeviceId}"]`);
      await expect(current.textContent()).resolves.toContain('this device');
      await page.getByRole('button', { name: 'Pair a new device' }).click();
      const qr = page.getByRole('img', { name: 'QR code for pairing a new device' });
      await qr.waitFor({ state: 'visible' });
      const src = (await qr.getAttribute('src')) ?? '';
      expect(src.startsWith('data:image/svg+xml')).toBe(true);
      expect(decodeURIComponent(src)).toContain('<svg');
      // The SVG was decoded into a real picture, not a broken-image placeholder.
      const size = await qr.evaluate((img) => {
        const image = img as HTMLImageElement;
        return { complete: image.complete, width: image.naturalWidth };
      });
      expect(size.complete).toBe(true);
      expect(size.width).toBeGreaterThan(0);
      const token = (await page.locator('#pairing-token').textContent()) ?? '';
      expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      await expect(page.locator('#pairing-expiry').textContent()).resolves.toMatch(/^Valid until /);
    });

    it('adds a second browser with the shown pairing token on /pair, which then logs in with its own key', async () => {
      const token = (await page.locator('#pairing-token').textContent()) ?? '';
      // The link (and the QR code) point at the address this browser used, as no public base URL is set.
      await expect(page.locator('#pairing-link').getAttribute('href')).resolves.toBe(
        `${server.url}/pair?token=${encodeURIComponent(token)}`,
      );
      await expect(page.locator('#pairing-open').textContent()).resolves.toMatch(/open\s+\/pair\s/);
      const other = await browser.newContext({ locale: 'en-US' });
      other.setDefaultTimeout(10_000);
      try {
        const second = watch(await other.newPage());
        // A /pair?token= link fills the field and leaves the address bar without the token.
        await second.goto(`${server.url}/pair?token=${encodeURIComponent(token)}`);
        await expect(second.getByLabel('Pairing token').inputValue()).resolves.toBe(token);
        expect(new URL(second.url()).search).toBe('');

        // Nothing filled in: the page marks the fields itself, before making a key.
        await second.getByLabel('Pairing token').fill('');
        await second.getByRole('button', { name: 'Add this device', exact: true }).click();
        await second.locator('#pairing_token[aria-invalid="true"]').waitFor();
        await expect.poll(() => second.locator('#error').getAttribute('data-code')).toBe('VALIDATION_FAILED');
        for (const id of ['pairing_token', 'username', 'password']) {
          await expect(second.locator(`#${id}`).getAttribute('aria-describedby')).resolves.toContain(
            `${id}-error`,
          );
        }
        // A QR payload without a token is refused as such.
        await second.getByLabel('Pairing token').fill(`city-auth:pair?v=1&uuid=${uuid}`);
        await second.getByLabel('Username').fill(USERNAME);
        await second.getByLabel('Password').fill(PASSWORD);
        await second.getByRole('button', { name: 'Add this device', exact: true }).click();
        await second.locator('#pairing_token-error').waitFor();
        await expect(second.locator('#username').getAttribute('aria-invalid')).resolves.toBeNull();

        // The whole QR payload pasted: only its token is sent, with a CSR made in this browser.
        const payload = `city-auth:pair?${new URLSearchParams({ v: '1', uuid, token }).toString()}`;
        await second.getByLabel('Pairing token').fill(payload);
        await second.getByLabel('Name of this device').fill('second browser');
        const requestPromise = second.waitForRequest(
          (r) => r.url().endsWith('/devices') && r.method() === 'POST',
        );
        await second.getByRole('button', { name: 'Add this device', exact: true }).click();
        const sent = (await requestPromise).postDataJSON() as Record<string, unknown>;
        expect(sent).toMatchObject({
          pairing_token: token,
          username: USERNAME,
          password: PASSWORD,
          device_label: 'second browser',
        });
        expect(Object.keys(sent).sort()).toEqual([
          'csr',
          'device_label',
          'pairing_token',
          'password',
          'username',
        ]);
        expect(String(sent.csr)).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);

        await second.locator('#result').waitFor({ state: 'visible' });
        await expect(second.locator('#result-uuid').textContent()).resolves.toBe(uuid);
        const secondDeviceId = (await second.locator('#result-device').textContent()) ?? '';
        expect(secondDeviceId).toMatch(/\S/);
        expect(secondDeviceId).not.toBe(firstDeviceId);

        // Stored like a registration: a non-extractable key whose public half the certificate carries.
        const report = await storedKeyReport(second, uuid);
        expect(report.extractable).toBe(false);
        expect(report.pkcs8ExportRefused).toBe(true);
        const accounts = JSON.parse(report.accounts) as {
          uuid: string;
          username: string;
          deviceId: string;
          certificatePem: string;
        }[];
        expect(accounts).toHaveLength(1);
        expect(accounts[0]).toMatchObject({ uuid, username: USERNAME, deviceId: secondDeviceId });
        const secondCertificate = new X509Certificate(accounts[0]?.certificatePem ?? '');
        expect(secondCertificate.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')).toBe(
          report.spkiBase64,
        );
        expect(secondCertificate.verify(new X509Certificate(await server.caCertificatePem()).publicKey)).toBe(
          true,
        );

        // Log in from the second browser with its own device key.
        await second.getByRole('link', { name: 'Continue to log in' }).click();
        await second.waitForURL(`${server.url}/login`);
        const { challenge, login } = await logInCapturingChallenge(second, USERNAME, PASSWORD);
        expect(login).toMatchObject({ proof: 'signature', device_id: secondDeviceId });
        expect(
          verifySignature(
            'sha256',
            Buffer.from(challenge.challenge, 'utf8'),
            { key: secondCertificate.publicKey, dsaEncoding: 'ieee-p1363' },
            Buffer.from(login.signature ?? '', 'base64url'),
          ),
        ).toBe(true);
        await second.waitForURL(`${server.url}/devices`);
        await expect(
          second.locator(`#device-rows tr[data-device-id="${secondDeviceId}"]`).textContent(),
        ).resolves.toContain('this device');

        // The first browser now lists both devices, both active, the second with its label.
        await page.reload();
        await page.locator(`#device-rows tr[data-device-id="${secondDeviceId}"]`).waitFor();
        await expect(page.locator('#device-rows tr').count()).resolves.toBe(2);
        await expect(page.locator('#device-rows tr[data-status="active"]').count()).resolves.toBe(2);
        await expect(
          page.locator(`#device-rows tr[data-device-id="${secondDeviceId}"]`).textContent(),
        ).resolves.toContain('second browser');

        // The token was used once: redeeming it again is refused like any failed redemption.
        await second.goto(`${server.url}/pair`);
        await second.getByLabel('Pairing token').fill(token);
        await second.getByLabel('Username').fill(USERNAME);
        await second.getByLabel('Password').fill(PASSWORD);
        await second.getByRole('button', { name: 'Add this device', exact: true }).click();
        await second.locator('#error[data-code]').waitFor();
        await expect
          .poll(() => second.locator('#error').getAttribute('data-code'))
          .toBe('INVALID_CREDENTIALS');
        await expect(second.getByRole('alert').locator('.error-message').textContent()).resolves.toMatch(
          /\S/,
        );
        expect(await second.locator('#result').isHidden()).toBe(true);
        const after = JSON.parse(
          (await second.evaluate(() => localStorage.getItem('city.accounts'))) ?? '[]',
        ) as { deviceId: string }[];
        expect(after.map((a) => a.deviceId)).toEqual([secondDeviceId]);
      } finally {
        await other.close();
      }

      // A fresh token for the next test.
      await page.getByRole('button', { name: 'Pair a new device' }).click();
      await expect.poll(async () => page.locator('#pairing-token').textContent()).not.toBe(token);
    });

    it('revokes a second device added with the shown pairing token', async () => {
      const token = (await page.locator('#pairing-token').textContent()) ?? '';
      const { privateKeyPem } = await generateKeyPair('ecdsa-p256');
      const csr = await createCertificateSigningRequest({ privateKeyPem, commonName: 'second-phone' });
      const response = await fetch(`${server.url}/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pairing_token: token,
          username: USERNAME,
          password: PASSWORD,
          csr,
          device_label: 'second phone',
        }),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      const second = (await response.json()) as { deviceId: string; uuid: string };
      expect(second.uuid).toBe(uuid);

      await page.reload();
      const row = page.locator(`#device-rows tr[data-device-id="${second.deviceId}"]`);
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('second phone');
      await expect(row.textContent()).resolves.not.toContain('this device');
      const dialogs: string[] = [];
      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      await row.getByRole('button', { name: 'Revoke device second phone' }).click();
      await page
        .locator(`#device-rows tr[data-device-id="${second.deviceId}"][data-status="revoked"]`)
        .waitFor();
      expect(dialogs).toEqual(['Revoke device second phone? It will no longer be able to log in.']);
      await expect(
        page.locator(`#device-rows tr[data-device-id="${second.deviceId}"] td.status-revoked`).textContent(),
      ).resolves.toMatch(/^revoked/);
      await expect(page.locator('#notice').textContent()).resolves.toBe('Device second phone was revoked.');
      // The first device is untouched and the revoked one has no revoke button any more.
      await expect(
        page.locator(`#device-rows tr[data-device-id="${firstDeviceId}"]`).getAttribute('data-status'),
      ).resolves.toBe('active');
      await expect(row.getByRole('button').count()).resolves.toBe(0);
    });

    it('renews an expired access token with the refresh token and a device-key proof, and stays signed in', async () => {
      const before = await page.evaluate(() => sessionStorage.getItem('city.session'));
      server.advanceClock(16 * 60 * 1000);
      const refreshPromise = page.waitForResponse((r) => r.url().endsWith('/token/refresh'));
      await page.reload();
      const refreshResponse = await refreshPromise;
      expect(refreshResponse.status()).toBe(200);
      // The page proved possession of the IndexedDB device key: a signed refresh challenge went with the token.
      const sent = refreshResponse.request().postDataJSON() as Record<string, string>;
      expect(Object.keys(sent).sort()).toEqual(['challenge_id', 'refresh_token', 'signature']);
      expect(sent.signature).toMatch(/^[A-Za-z0-9_-]{80,}$/);
      await page.locator('#signed-in').waitFor({ state: 'visible' });
      await expect(page.locator('#who').textContent()).resolves.toContain(USERNAME);
      await page.locator(`#device-rows tr[data-device-id="${firstDeviceId}"]`).waitFor();
      const after = await page.evaluate(() => sessionStorage.getItem('city.session'));
      expect(JSON.parse(after ?? '{}').accessToken).not.toBe(JSON.parse(before ?? '{}').accessToken);
      expect(JSON.parse(after ?? '{}').refreshToken).not.toBe(JSON.parse(before ?? '{}').refreshToken);
      // The refresh token alone (read out of sessionStorage, say) is refused without the device key.
      const stolen = await fetch(`${server.url}/token/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: JSON.parse(after ?? '{}').refreshToken }),
      });
      expect(stolen.status).toBe(422);
    });

    it('switches to Japanese and keeps the choice across pages', async () => {
      await page.getByLabel('Language').selectOption('ja');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('端末');
      await page.getByLabel('言語').waitFor();
      await page.getByRole('button', { name: '新しい端末をペアリング' }).waitFor();
      await expect(page.locator('#device-rows td.status-revoked').first().textContent()).resolves.toMatch(
        /^失効/,
      );
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      await page.goto(`${server.url}/pair`);
      await page.getByLabel('ペアリングトークン').waitFor();
      await page.getByRole('button', { name: 'この端末を追加' }).waitFor();
      await page.goto(`${server.url}/register`);
      await page.getByLabel('ユーザー名').waitFor();
      await page.getByLabel('メールアドレス').waitFor();
      // Server messages follow the page language (Accept-Language); the code stays the same.
      await page.getByLabel('ユーザー名').fill(USERNAME);
      await page.getByLabel('メールアドレス').fill('other.address@example.jp');
      await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: '登録する' }).click();
      await page.locator('#error[data-code]').waitFor();
      await expect.poll(() => page.locator('#error').getAttribute('data-code')).toBe('USERNAME_TAKEN');
      await expect(page.getByRole('alert').locator('.error-message').textContent()).resolves.toMatch(
        /[\u3040-\u30ff\u4e00-\u9fff]/,
      );
      await page.getByLabel('言語').selectOption('en');
      await page.getByLabel('Username').waitFor();
    });

    it('shows the error in words (its code only as data for support), with the bad fields marked', async () => {
      await page.goto(`${server.url}/register`);
      await page.getByLabel('Username').fill(USERNAME);
      await page.getByLabel('Email').fill('someone.else@example.jp');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Register' }).click();
      const alert = page.getByRole('alert');
      await page.locator('#error[data-code]').waitFor();
      await expect.poll(() => alert.getAttribute('data-code')).toBe('USERNAME_TAKEN');
      await expect(alert.textContent()).resolves.toContain('already');
      await expect(alert.textContent()).resolves.not.toContain('USERNAME_TAKEN');

      await page.getByLabel('Username').fill('');
      await page.getByLabel('Email').fill('');
      await page.getByRole('button', { name: 'Register' }).click();
      await page.locator('#username[aria-invalid="true"]').waitFor();
      await expect.poll(() => alert.getAttribute('data-code')).toBe('VALIDATION_FAILED');
      const described = (await page.locator('#username').getAttribute('aria-describedby')) ?? '';
      expect(described.split(' ')).toContain('username-error');
      await expect(page.locator('#username-error').textContent()).resolves.toBe('Username is required.');
      await expect(alert.textContent()).resolves.not.toMatch(/VALIDATION_FAILED|REQUIRED|\(|see fields/);

      await page.goto(`${server.url}/login`);
      await page.getByLabel('Username, email or uuid').fill(USERNAME);
      await page.getByLabel('Password').fill('wrong-password-123');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('#error[data-code]').waitFor();
      await expect.poll(() => page.locator('#error').getAttribute('data-code')).toBe('INVALID_CREDENTIALS');
    });

    it('logs out and then asks to log in on the devices page', async () => {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Username, email or uuid').fill(USERNAME);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${server.url}/devices`);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${server.url}/login`);
      expect(await page.evaluate(() => sessionStorage.getItem('city.session'))).toBeNull();
      await page.goto(`${server.url}/devices`);
      await expect(page.locator('#notice').textContent()).resolves.toBe('Please log in first.');
      expect(await page.locator('#signed-in').isHidden()).toBe(true);
    });

    it('defaults to Japanese when the browser prefers it', async () => {
      const japanese = await browser.newContext({ locale: 'ja-JP' });
      try {
        const jaPage = await japanese.newPage();
        await jaPage.goto(`${server.url}/`);
        await expect(jaPage.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
          'City Chain 認証',
        );
        expect(await jaPage.locator('html').getAttribute('lang')).toBe('ja');
        await jaPage.getByRole('main').getByRole('link', { name: '新規登録' }).waitFor();
      } finally {
        await japanese.close();
      }
    });

    it('submitted before any script runs, the forms post: no password or My Number in a URL', async () => {
      const scriptless = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false });
      try {
        const target = await scriptless.newPage();
        for (const [page, action, fields] of [
          ['/login', '/login', { identifier: 'nobody.here', 'login-password': 'Scriptless-Pass-11' }],
          [
            '/register',
            '/register',
            {
              username: 'scriptless',
              email: 's@example.jp',
              password: 'Scriptless-Pass-11',
              mynumber: '123456789018',
            },
          ],
          [
            '/pair',
            '/devices',
            { pairing_token: 'scriptless-token-1', username: 'x', password: 'Scriptless-Pass-11' },
          ],
        ] as const) {
          await target.goto(`${server.url}${page}`);
          for (const [id, value] of Object.entries(fields)) await target.locator(`#${id}`).fill(value);
          const sent = target.waitForRequest(
            (r) => r.isNavigationRequest() && r.frame() === target.mainFrame(),
          );
          await target.locator('button[type="submit"]').click();
          const request = await sent;
          expect(request.method(), page).toBe('POST');
          expect(new URL(request.url()).pathname, page).toBe(action);
          expect(new URL(request.url()).search, page).toBe('');
          for (const value of Object.values(fields)) expect(request.url(), page).not.toContain(value);
          expect(request.postData() ?? '', page).toContain('Scriptless-Pass-11');
        }
      } finally {
        await scriptless.close();
      }
    });

    it('ran without script errors or Content Security Policy violations', () => {
      expect(problems).toEqual([]);
    });
  },
);
