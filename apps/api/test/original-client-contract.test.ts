/**
 * The original Flask service's test scenarios, replayed against its routes: register success,
 * missing fields (no body, missing username/email/password), login success, wrong password,
 * wrong certificate fingerprint, and a second device registered through a pairing QR code
 * (plus an invalid QR). The bodies are the original ones: `/login` gets
 * `{ uuid | username, password, client_cert_fp }` with no `proof`, as `city make-register-body`
 * prints it.
 */
import { X509Certificate } from 'node:crypto';
import { certificateFingerprint } from '@city/client-cert';
import type { Principal } from '@city/registration-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openTestApp, seedsBody, type TestApp } from './helpers/test-app.js';

const OPERATOR: Principal = {
  userUuid: '00000000-0000-4000-8000-000000000000',
  username: 'operator',
  roles: ['admin'],
  deviceId: 'operator',
  sessionId: 'operator',
  tokenId: 'operator',
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
};

let fingerprintOn: TestApp;
let fingerprintOff: TestApp;
beforeAll(async () => {
  fingerprintOn = await openTestApp({ CITY_FINGERPRINT_LOGIN: 'on' });
  fingerprintOff = await openTestApp();
});
afterAll(async () => {
  await fingerprintOn?.close();
  await fingerprintOff?.close();
});

interface OriginalRegistration {
  success: boolean;
  uuid: string;
  client_cert: string;
  message: string;
  username: string;
  deviceId: string;
  fingerprint: string;
  certificatePem: string;
  caCertificatePem: string;
  privateKeyPem?: string;
}

async function registerOriginal(t: TestApp, overrides: Record<string, unknown> = {}) {
  const body = seedsBody({ client_cert_fp: 'ab'.repeat(32), key_algorithm: 'ecdsa-p256', ...overrides });
  const response = await t.app.inject({ method: 'POST', url: '/registration/', payload: body });
  return { body, response, result: json<OriginalRegistration>(response) };
}

/** What `city make-register-body` prints for this certificate. */
function makeRegisterBody(username: string, password: string, certificatePem: string) {
  return { username, password, client_cert_fp: certificateFingerprint(certificatePem) };
}

describe('original scenario: register success', () => {
  it('POST /registration/ answers 200 with success, uuid, client_cert (Base64) and message', async () => {
    const { response, result } = await registerOriginal(fingerprintOn);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(result.success).toBe(true);
    expect(result.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.message).toMatch(/registered/);
    // client_cert is Base64 of the certificate PEM; OpenSSL reads it and it is the issued one.
    const pem = Buffer.from(result.client_cert, 'base64').toString('utf8');
    const cert = new X509Certificate(pem);
    expect(cert.verify(new X509Certificate(result.caCertificatePem).publicKey)).toBe(true);
    expect(certificateFingerprint(pem)).toBe(result.fingerprint);
    // The modern fields come alongside.
    expect(result.deviceId).toBeTruthy();
    expect(result.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('the path without the trailing slash answers the same way', async () => {
    const response = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration',
      payload: seedsBody(),
    });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ success: true });
  });
});

describe('original scenario: missing fields', () => {
  it('no body: an error naming what to send, never 200', async () => {
    const response = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(422);
    const body = json<{ error: { code: string; fields: { field: string }[] } }>(response);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.fields.map((f) => f.field)).toContain('body');
  });

  for (const missing of ['username', 'email', 'password']) {
    it(`without ${missing}: 422 VALIDATION_FAILED naming ${missing}`, async () => {
      const body = seedsBody();
      delete body[missing];
      const response = await fingerprintOn.app.inject({
        method: 'POST',
        url: '/registration/',
        payload: body,
      });
      expect(response.statusCode).toBe(422);
      const answer = json<{ error: { code: string; fields: { field: string; code: string }[] } }>(response);
      expect(answer.error.fields).toContainEqual(
        expect.objectContaining({ field: missing, code: 'REQUIRED' }),
      );
    });
  }

  it('a form-encoded body: 415 naming application/json', async () => {
    const response = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=alice&password=secret',
    });
    expect(response.statusCode).toBe(415);
    const answer = json<{ error: { code: string; message: string } }>(response);
    expect(answer.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(answer.error.message).toContain('application/json');
  });
});

describe('original scenario: login', () => {
  it('login success: the make-register-body output is accepted as is and returns tokens', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    for (const payload of [
      makeRegisterBody(result.username, String(body.password), result.certificatePem),
      { uuid: result.uuid, password: body.password, client_cert_fp: result.fingerprint },
    ]) {
      const response = await fingerprintOn.app.inject({ method: 'POST', url: '/login', payload });
      expect(response.statusCode).toBe(200);
      const tokens = json<{ accessToken: string; deviceId: string }>(response);
      expect(tokens.accessToken.split('.')).toHaveLength(3);
      expect(tokens.deviceId).toBe(result.deviceId);
      const me = await fingerprintOn.app.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      expect(json(me)).toMatchObject({ uuid: result.uuid });
    }
  });

  it('wrong password and wrong certificate fingerprint: the same 401 and body', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    const other = await registerOriginal(fingerprintOn);
    const wrongPassword = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/login',
      payload: makeRegisterBody(result.username, 'not the password at all', result.certificatePem),
    });
    const wrongFingerprint = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/login',
      payload: makeRegisterBody(result.username, String(body.password), other.result.certificatePem),
    });
    const unknownUser = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/login',
      payload: makeRegisterBody('nobody-here', String(body.password), result.certificatePem),
    });
    for (const response of [wrongPassword, wrongFingerprint, unknownUser]) {
      expect(response.statusCode).toBe(401);
      expect(json(response)).toHaveProperty('error');
    }
    expect(wrongFingerprint.body).toBe(wrongPassword.body);
    expect(unknownUser.body).toBe(wrongPassword.body);
  });

  it('with fingerprint login off, the original body is told what to send instead', async () => {
    const { body, result } = await registerOriginal(fingerprintOff);
    const response = await fingerprintOff.app.inject({
      method: 'POST',
      url: '/login',
      payload: makeRegisterBody(result.username, String(body.password), result.certificatePem),
    });
    expect(response.statusCode).toBe(400);
    const answer = json<{ error: { code: string; message: string } }>(response);
    expect(answer.error.code).toBe('PROOF_MODE_DISABLED');
    expect(answer.error.message).toContain('POST /login/challenge');
    expect(answer.error.message).toContain('signature');
  });

  it('with fingerprint login off, a wrong fingerprint is refused before any credential is checked (same answer)', async () => {
    const response = await fingerprintOff.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'nobody-here', password: 'whatever password', client_cert_fp: 'zz' },
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ error: { code: 'PROOF_MODE_DISABLED' } });
  });
});

describe('original scenario: second device by QR', () => {
  it('request_pairing_token with the original body, then /registration/ with qr_code + username + password', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    const pairing = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/request_pairing_token',
      payload: makeRegisterBody(result.username, String(body.password), result.certificatePem),
    });
    expect(pairing.statusCode).toBe(200);
    expect(pairing.headers['cache-control']).toBe('no-store');
    const { qr_code: qrCode, success } = json<{ qr_code: string; success: boolean }>(pairing);
    expect(success).toBe(true);
    expect(qrCode).toMatch(/^city-auth:pair\?/);

    const second = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/',
      payload: { qr_code: qrCode, username: result.username, password: body.password },
    });
    expect(second.statusCode).toBe(200);
    const added = json<OriginalRegistration & { pairedFromDeviceId: string }>(second);
    expect(added).toMatchObject({ success: true, uuid: result.uuid, pairedFromDeviceId: result.deviceId });
    expect(added.deviceId).not.toBe(result.deviceId);
    const pem = Buffer.from(added.client_cert, 'base64').toString('utf8');
    expect(new X509Certificate(pem).verify(new X509Certificate(added.caCertificatePem).publicKey)).toBe(true);

    // The QR code is single-use.
    const again = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/',
      payload: { qr_code: qrCode, username: result.username, password: body.password },
    });
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
    expect(again.statusCode).toBeLessThan(500);
  });

  it('an invalid QR code is refused with an error', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    const response = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/',
      payload: {
        qr_code: 'city-auth:pair?v=1&token=forged',
        username: result.username,
        password: body.password,
      },
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(json(response)).toHaveProperty('error');
  });

  it('request_pairing_token with a wrong fingerprint fails exactly as a wrong password does', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    const wrongFp = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/request_pairing_token',
      payload: { username: result.username, password: body.password, client_cert_fp: 'cd'.repeat(32) },
    });
    const wrongPassword = await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/request_pairing_token',
      payload: { username: result.username, password: 'wrong password!', client_cert_fp: result.fingerprint },
    });
    expect(wrongFp.statusCode).toBe(401);
    expect(wrongFp.body).toBe(wrongPassword.body);
  });

  it('request_pairing_token without a token or credentials says how to authenticate', async () => {
    const response = await fingerprintOff.app.inject({
      method: 'POST',
      url: '/registration/request_pairing_token',
    });
    expect(response.statusCode).toBe(401);
    const answer = json<{ error: { code: string; message: string } }>(response);
    expect(answer.error.code).toBe('AUTHENTICATION_REQUIRED');
    expect(answer.error.message).toContain('Bearer');
  });

  it('the pairing session of the original body ends with the call', async () => {
    const { body, result } = await registerOriginal(fingerprintOn);
    await fingerprintOn.app.inject({
      method: 'POST',
      url: '/registration/request_pairing_token',
      payload: makeRegisterBody(result.username, String(body.password), result.certificatePem),
    });
    const audit = await fingerprintOn.runtime.auth.listAudit(OPERATOR, { user_uuid: result.uuid });
    const types = audit.items.map((e) => e.type);
    expect(types).toContain('pairing_token_issued');
    expect(types).toContain('logout');
  });
});

describe('hostile input on the original routes', () => {
  const bodies: unknown[] = [
    [],
    'just a string',
    42,
    null,
    { qr_code: { $gt: '' }, username: 'a', password: 'b' },
    { qr_code: 'x'.repeat(70_000), username: 'a', password: 'b' },
    { username: ['alice'], password: 'correct horse battery staple', email: 'a@example.com' },
    { username: 'alice', password: { $ne: null }, client_cert_fp: 'ab' },
    { uuid: '../../etc/passwd', password: 'x', client_cert_fp: '\u0000' },
    { __proto__: { admin: true }, username: 'alice', password: 'pw' },
    { device_label: 'x'.repeat(1000), username: 'alice', password: 'pw', client_cert_fp: 'ab' },
  ];
  for (const url of ['/registration/', '/registration/request_pairing_token', '/login']) {
    it(`${url}: malformed, oversized and hostile bodies get a 4xx with a code, never a 5xx`, async () => {
      for (const payload of bodies) {
        const response = await fingerprintOn.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        expect(response.statusCode, `${url} ${JSON.stringify(payload)?.slice(0, 80)}`).toBeGreaterThanOrEqual(
          400,
        );
        expect(response.statusCode).toBeLessThan(500);
        expect(json<{ error: { code: string } }>(response).error.code).toMatch(/^[A-Z_]+$/);
      }
    });
  }
});
