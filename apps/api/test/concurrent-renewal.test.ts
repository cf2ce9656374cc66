/**
 * Racing renewals of one device over app.inject: the store's conditional update lets exactly one
 * win; the others answer 409 CONCURRENT_UPDATE (never a 500 from an unmapped store conflict).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('8 concurrent renewals of one device: exactly one 200, the others 409 CONCURRENT_UPDATE', async () => {
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
  const statuses = answers.map((a) => a.statusCode).sort();
  expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
  for (const loser of answers.filter((a) => a.statusCode === 409)) {
    expect(json(loser)).toMatchObject({ error: { code: 'CONCURRENT_UPDATE' } });
  }
  const winner = json<{ serialNumber: string }>(answers.find((a) => a.statusCode === 200)!);
  const devices = json<{ devices: { deviceId: string; serialNumber: string }[] }>(
    await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(session.accessToken) }),
  );
  expect(devices.devices.find((d) => d.deviceId === session.deviceId)?.serialNumber).toBe(
    winner.serialNumber,
  );
});
