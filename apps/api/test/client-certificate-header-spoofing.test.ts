/**
 * Attack: a client sends `X-Client-Cert` with somebody else's (public) device certificate to pass
 * the mTLS device proof without holding the key. The header must count only when the socket
 * peer is the configured TRUSTED_PROXY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrustedProxy } from '../src/peer-certificate.js';
import { json, openTestApp, seedsBody, type TestApp } from './helpers/test-app.js';

const PROXY = '10.0.0.7';
let t: TestApp;
let victim: { uuid: string; username: string; password: string; deviceId: string; certificatePem: string };

beforeAll(async () => {
  t = await openTestApp({ TRUSTED_PROXY: PROXY });
  const body = seedsBody();
  const registered = json<{ uuid: string; username: string; deviceId: string; certificatePem: string }>(
    await t.app.inject({ method: 'POST', url: '/register', payload: body }),
  );
  victim = { ...registered, password: String(body.password) };
});
afterAll(async () => {
  await t?.close();
});

function mtlsLogin(remoteAddress: string, certificatePem: string | undefined) {
  return t.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress,
    headers: certificatePem === undefined ? {} : { 'x-client-cert': encodeURIComponent(certificatePem) },
    payload: { identifier: victim.username, password: victim.password, proof: 'mtls' },
  });
}

describe('client certificate header spoofing', () => {
  it('ignores X-Client-Cert from an untrusted address', async () => {
    for (const address of ['203.0.113.9', '127.0.0.1', '10.0.0.70', '::1']) {
      const response = await mtlsLogin(address, victim.certificatePem);
      expect(response.statusCode, address).toBe(401);
      expect(json(response)).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
    }
  });

  it('ignores X-Forwarded-For claiming to be the proxy', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': PROXY, 'x-client-cert': encodeURIComponent(victim.certificatePem) },
      payload: { identifier: victim.username, password: victim.password, proof: 'mtls' },
    });
    expect(response.statusCode).toBe(401);
    expect(json(response)).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
  });

  it('honours the header from the trusted proxy (IPv4 and IPv4-mapped IPv6)', async () => {
    for (const address of [PROXY, `::ffff:${PROXY}`]) {
      const response = await mtlsLogin(address, victim.certificatePem);
      expect(response.statusCode, response.body).toBe(200);
      expect(json(response)).toMatchObject({ deviceId: victim.deviceId });
    }
  });

  it('ignores a malformed header even from the proxy', async () => {
    for (const header of [
      '%E0%A4%A',
      'not a pem',
      encodeURIComponent('-----BEGIN CERTIFICATE-----\n<script>\n-----END CERTIFICATE-----'),
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: PROXY,
        headers: { 'x-client-cert': header },
        payload: { identifier: victim.username, password: victim.password, proof: 'mtls' },
      });
      expect(response.statusCode).toBe(401);
      expect(json(response)).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
    }
  });

  it('isTrustedProxy compares addresses exactly', () => {
    expect(isTrustedProxy('10.0.0.7', ['10.0.0.7'])).toBe(true);
    expect(isTrustedProxy('::ffff:10.0.0.7', ['10.0.0.7'])).toBe(true);
    expect(isTrustedProxy('10.0.0.77', ['10.0.0.7'])).toBe(false);
    expect(isTrustedProxy(undefined, ['10.0.0.7'])).toBe(false);
    expect(isTrustedProxy('10.0.0.7', [])).toBe(false);
  });
});
