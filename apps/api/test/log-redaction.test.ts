/**
 * Secrets in logs (CONVENTIONS §3: secrets never logged). Every pino line the app writes at
 * `trace` level while a user registers, logs in, refreshes, pairs a second device and makes the
 * usual mistakes (wrong password, reused refresh token, used pairing token) is captured, and
 * none of the secrets that crossed the wire may appear in it: password, access and refresh
 * tokens, pairing token, QR payload, private key PEM, Authorization header value — nor the values of
 * secret-bearing query parameters of requests that put them in the URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from '../src/open-auth-runtime.js';
import { bearer, json, refreshPayload, seedsBody } from './helpers/test-app.js';

const lines: string[] = [];
let dir: string;
let runtime: AuthRuntime;
let app: FastifyInstance;
/** Every secret value seen during the flow, with what it is. */
const secrets: { what: string; value: string }[] = [];
/** Paths requested with secret-bearing query parameters. */
const urlRequests: string[] = [];

function secret(what: string, value: unknown): string {
  expect(typeof value, what).toBe('string');
  secrets.push({ what, value: String(value) });
  return String(value);
}

async function challengeLogin(body: Record<string, unknown>, privateKeyPem: string, deviceId: string) {
  const challenge = json<{ challengeId: string; challenge: string }>(
    await app.inject({ method: 'POST', url: '/login/challenge' }),
  );
  const signature = signChallenge(privateKeyPem, challenge.challenge);
  return app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'user-agent': 'log-redaction-test' },
    payload: {
      ...body,
      challenge_id: challenge.challengeId,
      signature,
      device_id: deviceId,
    },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'city-api-logs-'));
  const config = loadConfig({ CITY_DATA_DIR: dir, CITY_RATE_LIMIT: '0', CITY_CREDENTIAL_RATE_LIMIT: '0' });
  runtime = await openAuthRuntime(config);
  app = await buildApp({
    ...appOptionsOf(runtime),
    config,
    logger: { level: 'trace', stream: { write: (line) => void lines.push(line) } },
  });

  // Register with a server-generated key: the response carries the private key once.
  const body = seedsBody({ password: 'Tangerine-Harbour-Lantern-93' });
  const password = secret('password', body.password);
  const registered = await app.inject({ method: 'POST', url: '/register', payload: body });
  expect(registered.statusCode, registered.body).toBe(201);
  const reg = json<{ uuid: string; username: string; deviceId: string; privateKeyPem: string }>(registered);
  const privateKeyPem = secret('private key PEM', reg.privateKeyPem);
  secret('private key body', privateKeyPem.split('\n')[1]);

  // Wrong password, then the real login.
  const wrong = await challengeLogin(
    { identifier: reg.username, password: 'Wrong-Password-Guess-11' },
    privateKeyPem,
    reg.deviceId,
  );
  expect(wrong.statusCode).toBe(401);
  secret('wrong password', 'Wrong-Password-Guess-11');
  const loggedIn = await challengeLogin({ identifier: reg.username, password }, privateKeyPem, reg.deviceId);
  expect(loggedIn.statusCode, loggedIn.body).toBe(200);
  const tokens = json<{ accessToken: string; refreshToken: string }>(loggedIn);
  const firstRefresh = secret('refresh token', tokens.refreshToken);
  secret('access token', tokens.accessToken);
  secret('authorization header', `Bearer ${tokens.accessToken}`);

  // Refresh, then replay the old refresh token (reuse detection answers 401).
  const refreshed = await app.inject({
    method: 'POST',
    url: '/token/refresh',
    payload: await refreshPayload(app, firstRefresh, privateKeyPem),
  });
  expect(refreshed.statusCode, refreshed.body).toBe(200);
  const rotated = json<{ accessToken: string; refreshToken: string }>(refreshed);
  secret('rotated refresh token', rotated.refreshToken);
  const accessToken = secret('rotated access token', rotated.accessToken);

  // Pairing: request a token, redeem it with a device CSR, redeem it again (refused as invalid credentials).
  const pairing = await app.inject({
    method: 'POST',
    url: '/pairing-tokens',
    headers: bearer(accessToken),
    payload: { device_label: 'tablet' },
  });
  expect(pairing.statusCode, pairing.body).toBe(201);
  const pairingResult = json<{ token: string; qrPayload: string }>(pairing);
  const pairingToken = secret('pairing token', pairingResult.token);
  secret('QR payload', pairingResult.qrPayload);
  const deviceKey = await generateKeyPair('ecdsa-p256');
  secret('paired device private key', deviceKey.privateKeyPem.split('\n')[1]);
  const csr = await createCertificateSigningRequest({ privateKeyPem: deviceKey.privateKeyPem });
  for (const expected of [201, 401]) {
    const redeemed = await app.inject({
      method: 'POST',
      url: '/devices',
      payload: { pairing_token: pairingToken, username: reg.username, password, csr },
    });
    expect(redeemed.statusCode, redeemed.body).toBe(expected);
  }

  // A malformed bearer token and a revoked-token request also get logged.
  const bogus = 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
  secret('bogus authorization header', bogus);
  expect(
    (await app.inject({ method: 'GET', url: '/me', headers: { authorization: bogus } })).statusCode,
  ).toBe(401);
  expect(
    (
      await app.inject({
        method: 'POST',
        url: '/token/revoke',
        headers: bearer(accessToken),
        payload: { token: rotated.refreshToken },
      })
    ).statusCode,
  ).toBeLessThan(300);
  await app.inject({ method: 'POST', url: '/logout', headers: bearer(accessToken) });

  // Secrets in a URL (a script-less form submission, a hand-written link, a client's mistake):
  // the request is logged, the values are not.
  const inUrl = {
    password: secret('password in a URL', 'Query-Password-Leak-77'),
    token: secret('token in a URL', 'query-token-value-0123456789'),
    pairing_token: secret('pairing token in a URL', 'query-pairing-token-abcdef'),
    refresh_token: secret('refresh token in a URL', 'query-refresh-token-ghijkl'),
    code: secret('code in a URL', 'query-authorization-code-42'),
    my_number: secret('my_number in a URL', '987654321098'),
    mynumber: secret('mynumber in a URL', '876543210987'),
  };
  const query = new URLSearchParams(inUrl).toString();
  for (const [method, url] of [
    ['GET', `/pair?${query}`],
    ['POST', `/login?${query}`],
    ['POST', `/register?${query}`],
    ['GET', `/me?${query}`],
    ['GET', `/no-such-route?${query}`],
  ] as const) {
    urlRequests.push(url.split('?')[0]!);
    await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('log redaction', () => {
  it('captured the flow (the log is not empty, requests and refusals were logged)', () => {
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(text).toContain('"url":"/register"');
    expect(text).toContain('"url":"/token/refresh"');
    expect(text).toContain('"url":"/devices"');
    expect(text).toContain('request refused');
  });

  it('no secret value appears anywhere in the log text', () => {
    const text = lines.join('');
    expect(secrets.length).toBeGreaterThan(10);
    for (const { what, value } of secrets) {
      expect(value.length, what).toBeGreaterThan(8);
      expect(text.includes(value), `${what} found in the logs`).toBe(false);
      // Also not in an escaped form (JSON-escaped newlines/slashes, URL encoding).
      expect(text.includes(JSON.stringify(value).slice(1, -1)), `${what} (JSON-escaped)`).toBe(false);
      expect(text.includes(encodeURIComponent(value)), `${what} (URL-encoded)`).toBe(false);
    }
  });

  it('logs requests whose query carried secrets, with the parameter names and redacted values', () => {
    const urls = lines
      .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url)
      .filter((url): url is string => url?.includes('?') === true);
    for (const path of urlRequests) {
      const logged = urls.find((url) => url.startsWith(`${path}?`));
      expect(logged, `${path} was logged`).toBeDefined();
      for (const name of [
        'password',
        'token',
        'pairing_token',
        'refresh_token',
        'code',
        'my_number',
        'mynumber',
      ]) {
        expect(logged, path).toContain(`${name}=[redacted]`);
      }
    }
  });

  it('no token-shaped value (JWT) and no PEM private key block is logged', () => {
    const text = lines.join('');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
    expect(text).not.toMatch(/PRIVATE KEY/);
  });
});
