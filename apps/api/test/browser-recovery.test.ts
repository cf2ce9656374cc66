/**
 * Recovery in real headless Chromium (Debian `chromium`, driven by playwright-core) against the real API:
 * the register page shows the ten recovery codes of the registration answer once (with a copy button and a
 * download), keeps them nowhere in the browser, and a reload shows none; the devices page warns before
 * revoking the account's last active device — dismissing the warning sends nothing, accepting it sends the
 * explicit `confirm_last_device=true` — and a code from the page then enrols a new device (POST /recover).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedAuth } from '@city/auth-runtime';
import { type Browser, chromium, type Page } from 'playwright-core';
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
const USERNAME = 'kenji.recovery';
const PASSWORD = 'maple-harbour-lantern-58';
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;
const LAST_DEVICE_WARNING =
  'This is your last active device. After revoking it you cannot log in any more: to add a new device you will need one of your recovery codes and your password (city recover), or an enrolment token from the service operator (city admin reset-devices). Revoke it anyway?';

describe.skipIf(!existsSync(CHROMIUM))(
  'recovery in headless Chromium (install Debian package chromium)',
  () => {
    let dataDir: string;
    let close: () => Promise<void>;
    let url: string;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];
    let shown: string[] = [];
    let deviceId = '';

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'city-browser-recovery-'));
      const runtime = await openEmbeddedAuth({ dataDir });
      const config = loadConfig({ CITY_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' });
      const app = await buildApp({ auth: runtime.auth, config, logger: false });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      close = async () => {
        await app.close();
        await runtime.close();
      };
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      const context = await browser.newContext({ locale: 'en-US' });
      context.setDefaultTimeout(10_000);
      page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
          problems.push(`csp: ${message.text()}`);
        }
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await close?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('the register page shows the recovery codes of the answer once, with copy and download, stored nowhere', async () => {
      await page.goto(`${url}/register`);
      await page.getByLabel('Username').fill(USERNAME);
      await page.getByLabel('Email').fill(`${USERNAME}@example.jp`);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Name of this device').fill('only laptop');
      const answerPromise = page.waitForResponse(
        (r) => r.url().endsWith('/register') && r.request().method() === 'POST',
      );
      await page.getByRole('button', { name: 'Register' }).click();
      const answer = (await (await answerPromise).json()) as { recoveryCodes: string[]; deviceId: string };
      deviceId = answer.deviceId;
      await page.locator('#recovery').waitFor({ state: 'visible' });
      await expect(
        page.getByRole('heading', { name: 'Your recovery codes: shown only this once' }).count(),
      ).resolves.toBe(1);
      shown = await page.locator('#recovery-codes li').allTextContents();
      expect(shown).toHaveLength(10);
      for (const code of shown) expect(code).toMatch(CODE);
      expect(shown).toEqual(answer.recoveryCodes);
      await expect(page.locator('#recovery-download').getAttribute('href')).resolves.toMatch(/^blob:/);
      await expect(page.getByRole('button', { name: 'Copy the codes' }).count()).resolves.toBe(1);

      const stored = await page.evaluate(
        () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      );
      for (const code of shown) expect(stored).not.toContain(code);
      await page.reload();
      await expect(page.locator('#recovery-codes li').count()).resolves.toBe(0);
      await expect(page.locator('#recovery').isVisible()).resolves.toBe(false);
    });

    it('the devices page warns before revoking the last device: dismissing sends nothing, accepting confirms explicitly', async () => {
      await page.goto(`${url}/login`);
      await page.getByLabel('Username, email or uuid').fill(USERNAME);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${url}/devices`);
      const row = page.locator(`#device-rows tr[data-device-id="${deviceId}"]`);
      await row.waitFor();

      const deletes: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'DELETE') deletes.push(request.url());
      });
      const dialogs: string[] = [];
      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await row.getByRole('button', { name: 'Revoke device only laptop' }).click();
      await expect.poll(() => dialogs.length).toBe(1);
      expect(dialogs[0]).toBe(LAST_DEVICE_WARNING);
      expect(deletes).toEqual([]);
      await expect(row.getAttribute('data-status')).resolves.toBe('active');

      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      const revoked = page.waitForResponse((r) => r.request().method() === 'DELETE');
      await row.getByRole('button', { name: 'Revoke device only laptop' }).click();
      expect((await revoked).status()).toBe(200);
      expect(dialogs).toEqual([LAST_DEVICE_WARNING, LAST_DEVICE_WARNING]);
      expect(deletes).toEqual([`${url}/devices/${deviceId}?confirm_last_device=true`]);
      await page.waitForURL(`${url}/login`);
    });

    it('a code shown on the page, with the password, then enrols a new device', async () => {
      const response = await fetch(`${url}/recover`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: USERNAME,
          password: PASSWORD,
          recovery_code: shown[0],
          key_algorithm: 'ecdsa-p256',
        }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      expect(await response.json()).toMatchObject({ recoveryCodesRemaining: 9 });
    });

    it('ran without script errors or Content Security Policy violations', () => {
      expect(problems).toEqual([]);
    });
  },
);
