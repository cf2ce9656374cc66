/**
 * Test harness: a real embedded auth runtime (SQLite `city.db` + outbox in a temp directory)
 * behind `buildApp`, plus the legacy register → challenge → signed login flow.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/build-app.js';
import { type ApiConfig, loadConfig } from '../../src/config.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from '../../src/open-auth-runtime.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly runtime: AuthRuntime;
  readonly config: ApiConfig;
  close(): Promise<void>;
}

/** Opens a fresh embedded runtime and app; rate limits off unless `env` sets them. */
export async function openTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'city-api-test-'));
  const config = loadConfig({
    CITY_DATA_DIR: dataDir,
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
    ...env,
  });
  const runtime = await openAuthRuntime(config);
  const app = await buildApp({ ...appOptionsOf(runtime), config, logger: false });
  return {
    app,
    runtime,
    config,
    close: async () => {
      await app.close();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A unique legacy-style registration body (valid My Number with check digit 8 for 12345678901x). */
export function seedsBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const suffix = `${process.pid}${counter}${Math.floor(Math.random() * 1e6)}`;
  return {
    username: `user${suffix}`.slice(0, 32),
    name: 'TestUser',
    birth_date: '2000-01-01',
    address: 'Test Address',
    email: `test${suffix}@example.com`,
    phone: '080-1234-5678',
    password: 'correct horse battery staple',
    initial_harmony_token: '100',
    ...overrides,
  };
}

/** A registered user with a device key and an open session. */
export interface Session {
  readonly uuid: string;
  readonly username: string;
  readonly password: string;
  readonly deviceId: string;
  readonly privateKeyPem: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** JSON body of a response. */
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Registers with a device-made CSR (ECDSA P-256, as the browser does) and logs in with a signed challenge. */
export async function registerAndLogin(
  app: FastifyInstance,
  overrides: Record<string, unknown> = {},
): Promise<Session> {
  const key = await generateKeyPair('ecdsa-p256');
  const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
  const body = seedsBody({ csr, ...overrides });
  const registered = await app.inject({ method: 'POST', url: '/register', payload: body });
  if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
  const reg = json<{ uuid: string; username: string; deviceId: string }>(registered);
  const tokens = await login(app, {
    identifier: reg.uuid,
    password: String(body.password),
    deviceId: reg.deviceId,
    privateKeyPem: key.privateKeyPem,
  });
  return {
    uuid: reg.uuid,
    username: reg.username,
    password: String(body.password),
    deviceId: reg.deviceId,
    privateKeyPem: key.privateKeyPem,
    ...tokens,
  };
}

/** Challenge → signature → POST /login. */
export async function login(
  app: FastifyInstance,
  who: { identifier: string; password: string; deviceId: string; privateKeyPem: string; field?: string },
): Promise<{ accessToken: string; refreshToken: string }> {
  const challenge = json<{ challengeId: string; challenge: string }>(
    await app.inject({ method: 'POST', url: '/login/challenge' }),
  );
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    payload: {
      [who.field ?? 'identifier']: who.identifier,
      password: who.password,
      challenge_id: challenge.challengeId,
      signature: signChallenge(who.privateKeyPem, challenge.challenge),
      device_id: who.deviceId,
    },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  const tokens = json<{ accessToken: string; refreshToken: string }>(response);
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}

/** A POST /token/refresh body proving possession of the device key (a fresh refresh challenge, signed). */
export async function refreshPayload(
  app: FastifyInstance,
  refreshToken: string,
  privateKeyPem: string,
): Promise<Record<string, string>> {
  const challenge = json<{ challengeId: string; challenge: string }>(
    await app.inject({ method: 'POST', url: '/token/refresh/challenge' }),
  );
  return {
    refresh_token: refreshToken,
    challenge_id: challenge.challengeId,
    signature: signChallenge(privateKeyPem, challenge.challenge),
  };
}

/** Grants roles directly through the core as the operator (what `city admin grant-role` does for the first admin). */
export async function grantRoles(runtime: AuthRuntime, userUuid: string, roles: string[]): Promise<void> {
  await runtime.auth.setRoles({ operator: 'test' }, { user_uuid: userUuid, roles });
}

/** `Authorization: Bearer` header. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
