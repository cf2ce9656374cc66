import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import { isValidMyNumber } from '@city/registration-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  grantRoles,
  json,
  login,
  openTestApp,
  refreshPayload,
  registerAndLogin,
  seedsBody,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('infrastructure routes', () => {
  it('GET /health answers ok with the package version and a request id', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(json(response)).toEqual({ status: 'ok', version: manifest.version });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const again = await t.app.inject({ method: 'GET', url: '/health' });
    expect(again.headers['x-request-id']).not.toBe(response.headers['x-request-id']);
  });

  it('GET /ready answers ready when the store answers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: 'ready' });
  });

  it('GET /.well-known/jwks.json lists public keys only', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const { keys } = json<{ keys: Record<string, unknown>[] }>(response);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toHaveProperty('kid');
      expect(key).not.toHaveProperty('d');
      expect(key).not.toHaveProperty('k');
    }
  });

  it('GET /ca.pem serves the CA as application/x-pem-file, parseable by OpenSSL', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/ca.pem' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-pem-file/);
    const ca = new X509Certificate(response.body);
    expect(ca.ca).toBe(true);
  });

  it('GET /crl serves a PEM CRL', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/crl' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^-----BEGIN X509 CRL-----/);
  });

  it('serves OpenAPI at /openapi.json and Swagger UI at /docs', async () => {
    const spec = json<{ openapi: string; paths: Record<string, unknown> }>(
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of [
      '/register',
      '/login',
      '/token/revoke',
      '/devices/{id}',
      '/admin/users/{uuid}/roles',
      '/admin/users/{uuid}/status',
      '/ready',
    ]) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
  });
});

describe('the legacy flow', () => {
  it('registers with the legacy fields (server-generated key), then logs in with { uuid, password } plus a signed challenge', async () => {
    const body = seedsBody({ mynumber: '123456789018' });
    expect(isValidMyNumber('123456789018')).toBe(true);
    const registered = await t.app.inject({ method: 'POST', url: '/register', payload: body });
    expect(registered.statusCode).toBe(201);
    const reg = json<Record<string, string>>(registered);
    expect(reg.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(reg.privateKeyPem).toMatch(/PRIVATE KEY/);
    expect(
      new X509Certificate(reg.certificatePem!).verify(new X509Certificate(reg.caCertificatePem!).publicKey),
    ).toBe(true);
    const tokens = await login(t.app, {
      field: 'uuid',
      identifier: reg.uuid!,
      password: String(body.password),
      deviceId: reg.deviceId!,
      privateKeyPem: reg.privateKeyPem!,
    });
    const me = json<Record<string, unknown>>(
      await t.app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.accessToken) }),
    );
    expect(me).toMatchObject({
      uuid: reg.uuid,
      name: 'TestUser',
      birthDate: '2000-01-01',
      mynumberLast4: '9018',
      initialHarmonyToken: 100,
    });
    expect(JSON.stringify(me)).not.toContain('123456789018');
  });

  it('answers the original /registration/ with 200 and the original fields', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/registration/', payload: seedsBody() });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ success: true });
  });

  it('refuses a login whose signature is over another challenge', async () => {
    const session = await registerAndLogin(t.app);
    const challenge = json<{ challengeId: string }>(
      await t.app.inject({ method: 'POST', url: '/login/challenge' }),
    );
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: {
        identifier: session.username,
        password: session.password,
        challenge_id: challenge.challengeId,
        signature: signChallenge(session.privateKeyPem, 'some other challenge'),
        device_id: session.deviceId,
      },
    });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });

  it('refuses fingerprint-only login unless enabled', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: {
        identifier: 'nobody',
        password: 'whatever pass',
        proof: 'fingerprint',
        client_cert_fp: 'ab'.repeat(32),
      },
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ error: { code: 'PROOF_MODE_DISABLED' } });
  });

  it('answers a duplicate username with 409 USERNAME_TAKEN', async () => {
    const session = await registerAndLogin(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/register',
      payload: seedsBody({ username: session.username }),
    });
    expect(response.statusCode).toBe(409);
    expect(json(response)).toMatchObject({ error: { code: 'USERNAME_TAKEN' } });
  });
});

describe('sessions', () => {
  it('requires a bearer token (401 + WWW-Authenticate)', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const response = await t.app.inject({ method: 'GET', url: '/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(json(response)).toMatchObject({ error: { code: 'AUTHENTICATION_REQUIRED' } });
    }
    const garbage = await t.app.inject({ method: 'GET', url: '/me', headers: bearer('not.a.token') });
    expect(garbage.statusCode).toBe(401);
    expect(garbage.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  // Reuse of a rotated token (outside the grace window, or from another device) is in
  // reliability/refresh-token-retry-grace.test.ts, with a clock the test moves.
  it('rotates refresh tokens: a new Bearer pair whose access token is accepted', async () => {
    const session = await registerAndLogin(t.app);
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      payload: await refreshPayload(t.app, session.refreshToken, session.privateKeyPem),
    });
    expect(refreshed.statusCode).toBe(200);
    const pair = json<{ accessToken: string; refreshToken: string; tokenType: string }>(refreshed);
    expect(pair.tokenType).toBe('Bearer');
    expect(pair.refreshToken).not.toBe(session.refreshToken);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(pair.accessToken) });
    expect(me.statusCode).toBe(200);
  });

  it('POST /token/revoke (JSON) refuses the revoked access token on the next request', async () => {
    const session = await registerAndLogin(t.app);
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/token/revoke',
      payload: { token: session.accessToken },
    });
    expect(revoke.statusCode).toBe(200);
    expect(json(revoke)).toEqual({});
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.accessToken) });
    expect(me.statusCode).toBe(401);
    expect(json(me)).toMatchObject({ error: { code: 'TOKEN_REVOKED' } });
  });

  it('POST /token/revoke (form-encoded) revokes a refresh token, and answers 200 for unknown tokens', async () => {
    const session = await registerAndLogin(t.app);
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/token/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${encodeURIComponent(session.refreshToken)}&token_type_hint=refresh_token`,
    });
    expect(revoke.statusCode).toBe(200);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      payload: await refreshPayload(t.app, session.refreshToken, session.privateKeyPem),
    });
    expect(refresh.statusCode).toBe(401);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/token/revoke',
      payload: { token: 'no-such-token' },
    });
    expect(unknown.statusCode).toBe(200);
  });

  it('GET /me answered from the access cache sends the same body, and a change of state shows at once', async () => {
    const session = await registerAndLogin(t.app);
    const first = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.accessToken) });
    const second = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.accessToken) });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.body).toBe(first.body);
    expect(json(first)).toMatchObject({ uuid: session.uuid, username: session.username, roles: ['user'] });
    await grantRoles(t.runtime, session.uuid, ['user', 'moderator']);
    const third = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.accessToken) });
    expect(third.statusCode).toBe(200);
    expect(json(third)).toMatchObject({ uuid: session.uuid, roles: ['user', 'moderator'] });
    expect(third.body).not.toBe(first.body);
  });

  it('POST /logout ends the session (204), the token is refused afterwards', async () => {
    const session = await registerAndLogin(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/logout', headers: bearer(session.accessToken) });
    expect(out.statusCode).toBe(204);
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(session.accessToken) });
    expect(me.statusCode).toBe(401);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      payload: await refreshPayload(t.app, session.refreshToken, session.privateKeyPem),
    });
    expect(refresh.statusCode).toBe(401);
  });
});

describe('pairing and devices', () => {
  it('POST /pairing-tokens accepts the documented device_label; the device paired through the QR code gets it', async () => {
    const first = await registerAndLogin(t.app);
    const pairing = await t.app.inject({
      method: 'POST',
      url: '/pairing-tokens',
      headers: bearer(first.accessToken),
      payload: { device_label: 'kitchen tablet' },
    });
    expect(pairing.statusCode).toBe(201);
    const body = json<{ qrPayload: string; deviceLabel: string }>(pairing);
    expect(body.deviceLabel).toBe('kitchen tablet');
    const key = await generateKeyPair('ecdsa-p256');
    const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
    const paired = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: { qr_code: body.qrPayload, username: first.username, password: first.password, csr },
    });
    expect(paired.statusCode).toBe(201);
    const deviceId = json<{ deviceId: string }>(paired).deviceId;
    const list = json<{ devices: { deviceId: string; label?: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(first.accessToken) }),
    );
    expect(list.devices.find((d) => d.deviceId === deviceId)?.label).toBe('kitchen tablet');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/pairing-tokens',
      headers: bearer(first.accessToken),
      payload: { device_label: 'x'.repeat(65) },
    });
    expect(bad.statusCode).toBe(422);
    expect(json(bad)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', fields: [{ field: 'device_label' }] },
    });
    const documented = json<{ paths: Record<string, { post: { requestBody: unknown } }> }>(
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    expect(JSON.stringify(documented.paths['/pairing-tokens']?.post.requestBody)).toContain('device_label');
  });

  it('pairs a second device with its own certificate and session; revoking it leaves the first logged in', async () => {
    const first = await registerAndLogin(t.app);
    for (const url of ['/pairing-tokens', '/registration/request_pairing_token']) {
      const pairing = await t.app.inject({ method: 'POST', url, headers: bearer(first.accessToken) });
      expect(pairing.statusCode, url).toBe(201);
      const body = json<{ token: string; qrPayload: string; qrSvg: string }>(pairing);
      expect(body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
      expect(body.qrPayload).toContain('city-auth:pair');
    }
    const token = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/pairing-tokens', headers: bearer(first.accessToken) }),
    ).token;
    const key = await generateKeyPair('ecdsa-p256');
    const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
    const paired = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: { pairing_token: token, username: first.username, password: first.password, csr },
    });
    expect(paired.statusCode).toBe(201);
    const device = json<{ deviceId: string; pairedFromDeviceId: string; privateKeyPem?: string }>(paired);
    expect(device.pairedFromDeviceId).toBe(first.deviceId);
    expect(device.deviceId).not.toBe(first.deviceId);
    expect(device.privateKeyPem).toBeUndefined();

    const reused = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: { pairing_token: token, username: first.username, password: first.password, csr },
    });
    expect(reused.statusCode).toBe(401);
    expect(json(reused)).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });

    const second = await login(t.app, {
      identifier: first.username,
      password: first.password,
      deviceId: device.deviceId,
      privateKeyPem: key.privateKeyPem,
    });
    const list = json<{ devices: { deviceId: string; current: boolean; status: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(first.accessToken) }),
    );
    expect(list.devices.map((d) => d.deviceId).sort()).toEqual([first.deviceId, device.deviceId].sort());
    expect(list.devices.find((d) => d.deviceId === first.deviceId)?.current).toBe(true);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/devices/${device.deviceId}`,
      headers: bearer(first.accessToken),
    });
    expect(revoked.statusCode).toBe(200);
    expect(json(revoked)).toMatchObject({ deviceId: device.deviceId, status: 'revoked' });
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(second.accessToken) })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(first.accessToken) })).statusCode,
    ).toBe(200);
    const crl = await t.app.inject({ method: 'GET', url: '/crl' });
    expect(crl.body).toMatch(/BEGIN X509 CRL/);
  });

  it("renews the caller's own device certificate", async () => {
    const session = await registerAndLogin(t.app);
    const key = await generateKeyPair('ecdsa-p256');
    const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
    const renewed = await t.app.inject({
      method: 'POST',
      url: `/devices/${session.deviceId}/renew`,
      headers: bearer(session.accessToken),
      payload: { csr },
    });
    expect(renewed.statusCode).toBe(200);
    const body = json<{ deviceId: string; previousSerialNumber: string; serialNumber: string }>(renewed);
    expect(body.deviceId).toBe(session.deviceId);
    expect(body.serialNumber).not.toBe(body.previousSerialNumber);
  });
});

describe("device ownership (another user's ids are 404, never 403)", () => {
  it('DELETE /devices/:id and POST /devices/:id/renew with a foreign device id', async () => {
    const alice = await registerAndLogin(t.app);
    const mallory = await registerAndLogin(t.app);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/devices/${alice.deviceId}`,
      headers: bearer(mallory.accessToken),
    });
    expect(del.statusCode).toBe(404);
    expect(json(del)).toMatchObject({ error: { code: 'DEVICE_NOT_FOUND' } });
    const renew = await t.app.inject({
      method: 'POST',
      url: `/devices/${alice.deviceId}/renew`,
      headers: bearer(mallory.accessToken),
    });
    expect(renew.statusCode).toBe(404);
    expect(json(renew)).toMatchObject({ error: { code: 'DEVICE_NOT_FOUND' } });
    const unknown = await t.app.inject({
      method: 'DELETE',
      url: '/devices/00000000-0000-4000-8000-000000000000',
      headers: bearer(mallory.accessToken),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toBe(del.body);
    // Alice's device is untouched.
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(alice.accessToken) })).statusCode,
    ).toBe(200);
  });

  it('a pairing token of one account cannot add a device to another', async () => {
    const alice = await registerAndLogin(t.app);
    const mallory = await registerAndLogin(t.app);
    const token = json<{ token: string }>(
      await t.app.inject({ method: 'POST', url: '/pairing-tokens', headers: bearer(alice.accessToken) }),
    ).token;
    const response = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: { pairing_token: token, username: mallory.username, password: mallory.password },
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(json(response)).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });
});

describe('admin routes', () => {
  it('refuses plain users with 403 FORBIDDEN', async () => {
    const user = await registerAndLogin(t.app);
    for (const [method, url, payload] of [
      ['GET', '/admin/users', undefined],
      ['GET', '/admin/audit', undefined],
      ['PUT', `/admin/users/${user.uuid}/roles`, { roles: ['admin'] }],
      ['PUT', `/admin/users/${user.uuid}/status`, { status: 'disabled' }],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: bearer(user.accessToken),
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode, url).toBe(403);
      expect(json(response)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
  });

  it('lets an admin list users and audit entries and set roles', async () => {
    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const user = await registerAndLogin(t.app);
    const users = await t.app.inject({
      method: 'GET',
      url: '/admin/users?limit=2',
      headers: bearer(admin.accessToken),
    });
    expect(users.statusCode).toBe(200);
    expect(json<{ items: unknown[] }>(users).items.length).toBeLessThanOrEqual(2);
    const audit = await t.app.inject({
      method: 'GET',
      url: `/admin/audit?user_uuid=${user.uuid}`,
      headers: bearer(admin.accessToken),
    });
    expect(audit.statusCode).toBe(200);
    expect(json<{ items: { type: string }[] }>(audit).items.length).toBeGreaterThan(0);
    const roles = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${user.uuid}/roles`,
      headers: bearer(admin.accessToken),
      payload: { roles: ['user', 'moderator'] },
    });
    expect(roles.statusCode).toBe(200);
    expect(json(roles)).toMatchObject({ uuid: user.uuid, roles: ['user', 'moderator'] });
    const badLimit = await t.app.inject({
      method: 'GET',
      url: '/admin/users?limit=abc',
      headers: bearer(admin.accessToken),
    });
    expect(badLimit.statusCode).toBe(422);
    expect(json(badLimit)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', fields: [{ field: 'limit' }] },
    });
    const missing = await t.app.inject({
      method: 'PUT',
      url: '/admin/users/00000000-0000-4000-8000-000000000000/roles',
      headers: bearer(admin.accessToken),
      payload: { roles: ['user'] },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('disabling a user over the API', () => {
  it('ends the live session at once: /me 401, refresh refused, login refused like a wrong password; enable restores login', async () => {
    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const user = await registerAndLogin(t.app);
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(200);
    const disabled = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${user.uuid}/status`,
      headers: bearer(admin.accessToken),
      payload: { status: 'disabled' },
    });
    expect(disabled.statusCode).toBe(200);
    expect(json(disabled)).toMatchObject({ uuid: user.uuid, status: 'disabled' });
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) });
    expect(me.statusCode).toBe(401);
    expect(json(me)).toMatchObject({ error: { code: 'TOKEN_REVOKED' } });
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/token/refresh',
      payload: await refreshPayload(t.app, user.refreshToken, user.privateKeyPem),
    });
    expect(refresh.statusCode).toBe(401);
    const who = {
      identifier: user.uuid,
      password: user.password,
      deviceId: user.deviceId,
      privateKeyPem: user.privateKeyPem,
    };
    await expect(login(t.app, who)).rejects.toThrow(/"code":"INVALID_CREDENTIALS"/);
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${user.uuid}/status`,
      headers: bearer(admin.accessToken),
      payload: { status: 'deleted' },
    });
    expect(bad.statusCode).toBe(422);
    expect(json(bad)).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields: [{ field: 'status' }] } });
    const missing = await t.app.inject({
      method: 'PUT',
      url: '/admin/users/00000000-0000-4000-8000-000000000000/status',
      headers: bearer(admin.accessToken),
      payload: { status: 'disabled' },
    });
    expect(missing.statusCode).toBe(404);
    const enabled = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${user.uuid}/status`,
      headers: bearer(admin.accessToken),
      payload: { status: 'active' },
    });
    expect(json(enabled)).toMatchObject({ status: 'active' });
    await expect(login(t.app, who)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });
});

describe('revoking the last active device', () => {
  it('is 409 LAST_DEVICE_CONFIRMATION_REQUIRED naming the way back, and 200 with confirm_last_device=true', async () => {
    const user = await registerAndLogin(t.app);
    const refused = await t.app.inject({
      method: 'DELETE',
      url: `/devices/${user.deviceId}`,
      headers: bearer(user.accessToken),
    });
    expect(refused.statusCode).toBe(409);
    expect(json(refused)).toMatchObject({
      error: { code: 'LAST_DEVICE_CONFIRMATION_REQUIRED', message: expect.stringContaining('reset-devices') },
    });
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(200);
    const confirmed = await t.app.inject({
      method: 'DELETE',
      url: `/devices/${user.deviceId}?confirm_last_device=true`,
      headers: bearer(user.accessToken),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(json(confirmed)).toMatchObject({ deviceId: user.deviceId, status: 'revoked' });
  });
});

describe('operator enrolment token', () => {
  it('POST /devices enrols a device with the token from resetDevices and the password (no pairedFromDeviceId)', async () => {
    const user = await registerAndLogin(t.app);
    const reset = await t.runtime.auth.resetDevices({ operator: 'test' }, { user_uuid: user.uuid });
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(401);
    const response = await t.app.inject({
      method: 'POST',
      url: '/devices',
      payload: {
        qr_code: reset.qrPayload,
        username: user.username,
        password: user.password,
        key_algorithm: 'ed25519',
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = json<Record<string, unknown>>(response);
    expect(body.uuid).toBe(user.uuid);
    expect(body).not.toHaveProperty('pairedFromDeviceId');
    expect(body.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });
});

describe('Japanese messages', () => {
  it('answers in Japanese with Accept-Language: ja, keeping codes', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'accept-language': 'ja-JP,ja;q=0.9' },
      payload: seedsBody({ mynumber: '123456789012' }),
    });
    expect(response.statusCode).toBe(422);
    const body = json<{
      error: { code: string; message: string; fields: { field: string; code: string; message: string }[] };
    }>(response);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toBe('入力内容に誤りがあります。fields を確認してください。');
    expect(body.error.fields).toContainEqual({
      field: 'mynumber',
      code: 'CHECK_DIGIT_MISMATCH',
      message: 'チェックディジットが一致しません。',
    });
    const unauth = await t.app.inject({ method: 'GET', url: '/me', headers: { 'accept-language': 'ja' } });
    expect(json(unauth)).toEqual({
      error: {
        code: 'AUTHENTICATION_REQUIRED',
        message:
          '認証が必要です。POST /login で得たアクセストークンを Authorization: Bearer で送信してください。',
      },
    });
  });
});
