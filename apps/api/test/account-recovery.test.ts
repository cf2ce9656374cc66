/**
 * Account recovery over HTTP: recovery codes shown once by POST /register (no-store), POST
 * /recover enrolling a new device with the password and one code (every failure the same 401),
 * regeneration and status from a logged-in device, and the operator path as an admin route
 * (POST /admin/users/:uuid/reset-devices → one-time enrolment token), audited and admin-only.
 * The security alerts of both paths are listed to admins by GET /admin/audit.
 */
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  grantRoles,
  json,
  login,
  openTestApp,
  registerAndLogin,
  type Session,
  seedsBody,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let admin: Session;
beforeAll(async () => {
  t = await openTestApp();
  admin = await registerAndLogin(t.app);
  await grantRoles(t.runtime, admin.uuid, ['admin']);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** Registers through POST /register with a server-generated key; the answer, codes included. */
async function register(): Promise<{
  uuid: string;
  username: string;
  password: string;
  deviceId: string;
  privateKeyPem: string;
  recoveryCodes: string[];
  cacheControl: string | undefined;
}> {
  const body = seedsBody({ key_algorithm: 'ed25519' });
  const response = await t.app.inject({ method: 'POST', url: '/register', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  const answer = json<{
    uuid: string;
    username: string;
    deviceId: string;
    privateKeyPem: string;
    recoveryCodes: string[];
  }>(response);
  return {
    ...answer,
    password: String(body.password),
    cacheControl: response.headers['cache-control'] as string | undefined,
  };
}

async function adminAudit(userUuid: string): Promise<{ type: string; reason?: string; detail?: unknown }[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/admin/audit?user_uuid=${userUuid}&limit=100`,
    headers: bearer(admin.accessToken),
  });
  expect(response.statusCode, response.body).toBe(200);
  return json<{ items: { type: string; reason?: string; detail?: unknown }[] }>(response).items;
}

describe('recovery codes', () => {
  it('POST /register shows ten codes once, never cached', async () => {
    const user = await register();
    expect(user.recoveryCodes).toHaveLength(10);
    for (const code of user.recoveryCodes) expect(code).toMatch(CODE);
    expect(user.cacheControl).toBe('no-store');
  });

  it('POST /recover: password + code → 201 and a device that logs in; the code then fails like a wrong password', async () => {
    const user = await register();
    const key = await generateKeyPair('ed25519');
    const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
    const code = user.recoveryCodes[1] as string;
    const recovered = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: { username: user.username, password: user.password, recovery_code: code, csr },
    });
    expect(recovered.statusCode, recovered.body).toBe(201);
    expect(recovered.headers['cache-control']).toBe('no-store');
    const device = json<{
      uuid: string;
      deviceId: string;
      recoveryCodesRemaining: number;
      privateKeyPem?: string;
    }>(recovered);
    expect(device).toMatchObject({ uuid: user.uuid, recoveryCodesRemaining: 9 });
    expect(device.privateKeyPem).toBeUndefined();
    const session = await login(t.app, {
      identifier: user.username,
      password: user.password,
      deviceId: device.deviceId,
      privateKeyPem: key.privateKeyPem,
    });
    // The first device was not revoked.
    const devices = json<{ devices: { deviceId: string; status: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(session.accessToken) }),
    ).devices;
    expect(
      devices
        .filter((d) => d.status === 'active')
        .map((d) => d.deviceId)
        .sort(),
    ).toEqual([user.deviceId, device.deviceId].sort());

    const replay = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: {
        username: user.username,
        password: user.password,
        recovery_code: code,
        key_algorithm: 'ed25519',
      },
    });
    const wrongPassword = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: {
        username: user.username,
        password: `${user.password}!`,
        recovery_code: user.recoveryCodes[2],
        key_algorithm: 'ed25519',
      },
    });
    expect(replay.statusCode).toBe(401);
    expect(json(replay)).toEqual(json(wrongPassword));
    expect(json(replay)).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });

    const alerts = (await adminAudit(user.uuid)).filter((e) => e.type === 'security_alert');
    expect(alerts.map((e) => e.reason)).toEqual(['recovery_code_used']);
  });

  it('POST /recover refuses a malformed body with 422 naming the fields', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: { username: 'alice', recovery_code: { $gt: '' } },
    });
    expect(response.statusCode).toBe(422);
    const fields = json<{ error: { code: string; fields: { field: string; code: string }[] } }>(
      response,
    ).error;
    expect(fields.code).toBe('VALIDATION_FAILED');
    expect(fields.fields.map((f) => [f.field, f.code]).sort()).toEqual([
      ['password', 'REQUIRED'],
      ['recovery_code', 'INVALID_TYPE'],
    ]);
  });

  it('POST /recovery-codes replaces the set from a logged-in device; GET /recovery-codes counts what is left', async () => {
    const user = await register();
    const session = await login(t.app, {
      identifier: user.uuid,
      password: user.password,
      deviceId: user.deviceId,
      privateKeyPem: user.privateKeyPem,
    });
    expect((await t.app.inject({ method: 'POST', url: '/recovery-codes' })).statusCode).toBe(401);
    const fresh = await t.app.inject({
      method: 'POST',
      url: '/recovery-codes',
      headers: bearer(session.accessToken),
    });
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.headers['cache-control']).toBe('no-store');
    const codes = json<{ recoveryCodes: string[] }>(fresh).recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(codes.some((c) => user.recoveryCodes.includes(c))).toBe(false);

    const old = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: {
        username: user.username,
        password: user.password,
        recovery_code: user.recoveryCodes[0],
        key_algorithm: 'ed25519',
      },
    });
    expect(old.statusCode).toBe(401);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/recover',
      payload: {
        username: user.username,
        password: user.password,
        recovery_code: codes[0],
        key_algorithm: 'ed25519',
      },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const status = await t.app.inject({
      method: 'GET',
      url: '/recovery-codes',
      headers: bearer(session.accessToken),
    });
    expect(status.statusCode).toBe(200);
    expect(json(status)).toMatchObject({ total: 10, remaining: 9 });
  });
});

describe('POST /admin/users/:uuid/reset-devices', () => {
  it('is admin-only: a user gets 403 FORBIDDEN (audited) and nothing is revoked; no token → 401', async () => {
    const victim = await registerAndLogin(t.app);
    const other = await registerAndLogin(t.app);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: `/admin/users/${victim.uuid}/reset-devices`,
    });
    expect(anonymous.statusCode).toBe(401);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/admin/users/${victim.uuid}/reset-devices`,
      headers: bearer(other.accessToken),
    });
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(victim.accessToken) })).statusCode,
    ).toBe(200);
    const denied = (await adminAudit(other.uuid)).filter((e) => e.type === 'permission_denied');
    expect(denied).toHaveLength(1);
  });

  it('an admin gets a one-time enrolment token: every device revoked, the token enrols one device with the password, audited and alerted', async () => {
    const user = await registerAndLogin(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: `/admin/users/${user.uuid}/reset-devices`,
      headers: bearer(admin.accessToken),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const reset = json<{
      uuid: string;
      token: string;
      qrPayload: string;
      devicesRevoked: number;
      expiresAt: string;
    }>(response);
    expect(reset).toMatchObject({ uuid: user.uuid, username: user.username, devicesRevoked: 1 });
    expect(reset.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(401);

    const enrol = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/devices',
        payload: { qr_code: reset.qrPayload, username: user.username, password, key_algorithm: 'ed25519' },
      });
    expect((await enrol(`${user.password}!`)).statusCode).toBe(401);
    const enrolled = await enrol(user.password);
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    expect((await enrol(user.password)).statusCode).toBe(401);

    const trail = await adminAudit(user.uuid);
    expect(trail.find((e) => e.type === 'devices_reset')?.detail).toMatchObject({
      by: admin.uuid,
      devicesRevoked: 1,
    });
    expect(trail.filter((e) => e.type === 'security_alert').map((e) => e.reason)).toEqual([
      'enrolment_token_used',
    ]);
  });

  it('an unknown user is 404 USER_NOT_FOUND; a body with fields is refused with 422', async () => {
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/admin/users/00000000-0000-4000-8000-000000000000/reset-devices',
      headers: bearer(admin.accessToken),
    });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ error: { code: 'USER_NOT_FOUND' } });
    const extra = await t.app.inject({
      method: 'POST',
      url: `/admin/users/${admin.uuid}/reset-devices`,
      headers: bearer(admin.accessToken),
      payload: { username: 'someone-else' },
    });
    expect(extra.statusCode).toBeGreaterThanOrEqual(400);
    expect(extra.statusCode).toBeLessThan(500);
  });
});
