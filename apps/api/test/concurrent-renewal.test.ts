/**
 * Racing renewals of one device over app.inject: the store's compare-and-set on the serial the
 * renewal started from lets exactly one of the renewals from one certificate win; the others
 * answer 409 CONCURRENT_UPDATE (never a 500 from an unmapped store conflict), and every replaced
 * certificate is on the CRL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crlSerials, serialOf } from './helpers/crl-serials.js';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('8 concurrent renewals of one device: losers get 409 CONCURRENT_UPDATE, no certificate is overwritten unseen, every replaced one is revoked', async () => {
  const session = await registerAndLogin(t.app);
  const answers = await Promise.all(
    Array.from({ length: 8 }, () =>
      t.app.inject({
        method: 'POST',
        url: `/devices/${session.deviceId}/renew`,
        headers: bearer(session.accessToken),
        payload: { key_algorithm: 'ed25519' },
      }),
    ),
  );
  for (const answer of answers) expect([200, 409]).toContain(answer.statusCode);
  for (const loser of answers.filter((a) => a.statusCode === 409)) {
    expect(json(loser)).toMatchObject({ error: { code: 'CONCURRENT_UPDATE' } });
  }
  const winners = answers
    .filter((a) => a.statusCode === 200)
    .map((a) => json<{ serialNumber: string; previousSerialNumber: string }>(a));
  expect(winners.length).toBeGreaterThanOrEqual(1);
  // Several successes may only be sequential renewals, each replacing a different certificate.
  const previous = winners.map((w) => w.previousSerialNumber);
  expect(new Set(previous).size).toBe(winners.length);
  const last = winners.filter((w) => !previous.includes(w.serialNumber));
  expect(last).toHaveLength(1);
  const devices = json<{ devices: { deviceId: string; serialNumber: string }[] }>(
    await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(session.accessToken) }),
  );
  expect(devices.devices.find((d) => d.deviceId === session.deviceId)?.serialNumber).toBe(
    last[0]?.serialNumber,
  );
  const crl = await t.app.inject({ method: 'GET', url: '/crl' });
  expect(crl.statusCode).toBe(200);
  const revoked = crlSerials(crl.body);
  for (const serial of previous) expect(revoked, serial).toContain(serialOf(serial));
  expect(revoked).not.toContain(serialOf(last[0]?.serialNumber ?? '0'));
});
