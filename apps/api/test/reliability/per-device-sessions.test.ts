/**
 * Attack: a paired device inheriting the first device's session (a copied session
 * survives the revocation of either device). Pairing must give the new device its own
 * certificate and key and its own token family; revoking one device leaves the other logged in.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  login,
  loginAnswer,
  openEmbeddedApi,
  PASSWORD,
  type RegisteredUser,
  refreshBody,
  registerUser,
  sender,
  type Tokens,
} from '../support/reliability-harness.js';

let api: Awaited<ReturnType<typeof openEmbeddedApi>>;
const send = (...args: Parameters<ReturnType<typeof sender>>) => sender(api.app)(...args);

beforeAll(async () => {
  api = await openEmbeddedApi();
});

afterAll(async () => {
  await api?.close();
});

async function pairedUser(): Promise<{
  user: RegisteredUser;
  first: Tokens;
  device: RegisteredUser;
  second: Tokens;
  paired: Record<string, string>;
}> {
  const user = await registerUser(send);
  const first = await login(send, user);
  const pairing = await send('POST', '/pairing-tokens', { token: first.accessToken, body: {} });
  expect(pairing.status).toBe(201);
  const redeemed = await send('POST', '/devices', {
    body: {
      pairing_token: pairing.body.token,
      username: user.username,
      password: PASSWORD,
      key_algorithm: 'ed25519',
    },
  });
  expect(redeemed.status, redeemed.text).toBe(201);
  const device: RegisteredUser = {
    uuid: user.uuid,
    username: user.username,
    deviceId: redeemed.body.deviceId,
    privateKeyPem: redeemed.body.privateKeyPem,
    fingerprint: redeemed.body.fingerprint,
  };
  const second = await login(send, device);
  return { user, first, device, second, paired: redeemed.body };
}

describe('per-device sessions', () => {
  it('pairing issues a new certificate and key for the new device, chained to the CA', async () => {
    const { user, paired } = await pairedUser();
    expect(paired.uuid).toBe(user.uuid);
    expect(paired.deviceId).not.toBe(user.deviceId);
    expect(paired.fingerprint).not.toBe(user.fingerprint);
    expect(paired.privateKeyPem).not.toBe(user.privateKeyPem);
    const ca = await send('GET', '/ca.pem');
    const certificate = new X509Certificate(paired.certificatePem!);
    expect(certificate.verify(new X509Certificate(ca.text).publicKey)).toBe(true);
    // The first device's key cannot prove the second device.
    const crossed = await loginAnswer(send, {
      identifier: user.uuid,
      deviceId: paired.deviceId!,
      privateKeyPem: user.privateKeyPem,
    });
    expect(crossed.status).toBe(401);
  });

  it('each device has its own token family', async () => {
    const { user, first, device, second } = await pairedUser();
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.deviceId).toBe(device.deviceId);
    expect(first.deviceId).toBe(user.deviceId);
    const meFirst = await send('GET', '/me', { token: first.accessToken });
    const meSecond = await send('GET', '/me', { token: second.accessToken });
    expect(meFirst.body.deviceId).toBe(user.deviceId);
    expect(meSecond.body.deviceId).toBe(device.deviceId);
    expect(meSecond.body.sessionId).not.toBe(meFirst.body.sessionId);
  });

  it('revoking the new device logs it out and leaves the first device logged in', async () => {
    const { user, first, device, second } = await pairedUser();
    const revoked = await send('DELETE', `/devices/${device.deviceId}`, { token: first.accessToken });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect((await send('GET', '/me', { token: second.accessToken })).status).toBe(401);
    expect(
      (
        await send('POST', '/token/refresh', {
          body: await refreshBody(send, second.refreshToken, device.privateKeyPem),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await loginAnswer(send, {
          identifier: device.uuid,
          deviceId: device.deviceId,
          privateKeyPem: device.privateKeyPem,
        })
      ).status,
    ).toBe(401);
    expect((await send('GET', '/me', { token: first.accessToken })).status).toBe(200);
    const refreshed = await send('POST', '/token/refresh', {
      body: await refreshBody(send, first.refreshToken, user.privateKeyPem),
    });
    expect(refreshed.status).toBe(200);
  });

  it('revoking the first device from the new one leaves the new one logged in', async () => {
    const { user, first, second } = await pairedUser();
    const revoked = await send('DELETE', `/devices/${user.deviceId}`, { token: second.accessToken });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await send('GET', '/me', { token: first.accessToken })).status).toBe(401);
    expect(
      (
        await send('POST', '/token/refresh', {
          body: await refreshBody(send, first.refreshToken, user.privateKeyPem),
        })
      ).status,
    ).toBe(401);
    expect((await send('GET', '/me', { token: second.accessToken })).status).toBe(200);
  });

  it('logging out on one device leaves the other logged in', async () => {
    const { first, device, second } = await pairedUser();
    expect((await send('POST', '/logout', { token: first.accessToken })).status).toBe(204);
    expect((await send('GET', '/me', { token: first.accessToken })).status).toBe(401);
    expect((await send('GET', '/me', { token: second.accessToken })).status).toBe(200);
    expect(
      (
        await send('POST', '/token/refresh', {
          body: await refreshBody(send, second.refreshToken, device.privateKeyPem),
        })
      ).status,
    ).toBe(200);
  });
});
