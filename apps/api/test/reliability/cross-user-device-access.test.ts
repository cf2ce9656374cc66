/**
 * Attack (after a 2026 device-authorization CVE): acting on another user's device,
 * pairing token or tokens. Every such route answers exactly as for an id that does not exist —
 * 404 for device ids (never 403, so ids are not confirmed), the unknown-token answer for pairing
 * tokens — and the victim's device and session are untouched afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpAnswer,
  login,
  openEmbeddedApi,
  PASSWORD,
  type RegisteredUser,
  refreshBody,
  registerUser,
  sender,
  type Tokens,
} from '../support/reliability-harness.js';

let api: Awaited<ReturnType<typeof openEmbeddedApi>>;
let alice: RegisteredUser;
let bob: RegisteredUser;
let aliceTokens: Tokens;
let bobTokens: Tokens;

beforeAll(async () => {
  api = await openEmbeddedApi();
  const send = sender(api.app);
  alice = await registerUser(send);
  bob = await registerUser(send);
  aliceTokens = await login(send, alice);
  bobTokens = await login(send, bob);
});

afterAll(async () => {
  await api?.close();
});

const send = (...args: Parameters<ReturnType<typeof sender>>) => sender(api.app)(...args);
const UNKNOWN_DEVICE = '00000000-0000-4000-8000-000000000000';

function expectSameAsUnknown(answer: HttpAnswer, unknown: HttpAnswer): void {
  expect(answer.status, answer.text).toBe(unknown.status);
  expect(answer.status).not.toBe(403);
  expect(answer.body).toEqual(unknown.body);
}

describe('cross-user device access', () => {
  it("DELETE /devices/:id with another user's device id: 404 DEVICE_NOT_FOUND, same as an unknown id", async () => {
    const unknown = await send('DELETE', `/devices/${UNKNOWN_DEVICE}`, { token: aliceTokens.accessToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('DEVICE_NOT_FOUND');
    const foreign = await send('DELETE', `/devices/${bob.deviceId}`, { token: aliceTokens.accessToken });
    expectSameAsUnknown(foreign, unknown);
  });

  it("POST /devices/:id/renew with another user's device id: 404, same as an unknown id", async () => {
    const unknown = await send('POST', `/devices/${UNKNOWN_DEVICE}/renew`, {
      token: aliceTokens.accessToken,
      body: {},
    });
    expect(unknown.status).toBe(404);
    const foreign = await send('POST', `/devices/${bob.deviceId}/renew`, {
      token: aliceTokens.accessToken,
      body: {},
    });
    expectSameAsUnknown(foreign, unknown);
    const bodyOverride = await send('POST', `/devices/${bob.deviceId}/renew`, {
      token: aliceTokens.accessToken,
      body: { device_id: bob.deviceId },
    });
    expect(bodyOverride.status).toBe(404);
  });

  it("GET /devices lists only the caller's devices", async () => {
    const list = await send('GET', '/devices', { token: aliceTokens.accessToken });
    expect(list.status).toBe(200);
    const ids = list.body.devices.map((d: { deviceId: string }) => d.deviceId);
    expect(ids).toEqual([alice.deviceId]);
  });

  it("redeeming another user's pairing token with one's own credentials: same answer as an unknown token", async () => {
    const pairing = await send('POST', '/pairing-tokens', { token: bobTokens.accessToken, body: {} });
    expect(pairing.status).toBe(201);
    const unknown = await send('POST', '/devices', {
      body: {
        pairing_token: 'A'.repeat(43),
        username: alice.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      },
    });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    const foreign = await send('POST', '/devices', {
      body: {
        pairing_token: pairing.body.token,
        username: alice.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      },
    });
    expectSameAsUnknown(foreign, unknown);
    const viaQr = await send('POST', '/devices', {
      body: {
        qr_code: pairing.body.qrPayload,
        username: alice.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      },
    });
    expectSameAsUnknown(viaQr, unknown);
    // Neither user gained a device.
    const aliceDevices = await send('GET', '/devices', { token: aliceTokens.accessToken });
    expect(aliceDevices.body.devices).toHaveLength(1);
    const bobDevices = await send('GET', '/devices', { token: bobTokens.accessToken });
    expect(bobDevices.body.devices).toHaveLength(1);
    // The pairing token was not burnt by the attempt: Bob can still use it.
    const legit = await send('POST', '/devices', {
      body: {
        pairing_token: pairing.body.token,
        username: bob.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      },
    });
    expect(legit.status, legit.text).toBe(201);
    expect(legit.body.uuid).toBe(bob.uuid);
  });

  it("tokens: Alice's token never reaches Bob's profile or session", async () => {
    const me = await send('GET', '/me', { token: aliceTokens.accessToken });
    expect(me.body.uuid).toBe(alice.uuid);
    // Logging out with Alice's token ends Alice's session only.
    const second = await login(sender(api.app), alice);
    expect((await send('POST', '/logout', { token: second.accessToken })).status).toBe(204);
    expect((await send('GET', '/me', { token: bobTokens.accessToken })).status).toBe(200);
  });

  it("Bob's device and session are untouched after all of the above", async () => {
    const devices = await send('GET', '/devices', { token: bobTokens.accessToken });
    expect(devices.status).toBe(200);
    const original = devices.body.devices.find((d: { deviceId: string }) => d.deviceId === bob.deviceId);
    expect(original.status).toBe('active');
    const refreshed = await send('POST', '/token/refresh', {
      body: await refreshBody(send, bobTokens.refreshToken, bob.privateKeyPem),
    });
    expect(refreshed.status).toBe(200);
  });
});
