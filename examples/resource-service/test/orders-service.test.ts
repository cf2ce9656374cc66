/**
 * The example orders service, started as its own process (`node dist/server.js`), accepts tokens
 * issued by the real API (in-process `buildApp`, listening on 127.0.0.1), discovers the API from its
 * issuer URL alone, keeps working across a signing-key rotation, and refuses exactly as the API
 * does (the API's own answers are the oracle for status, code, message and WWW-Authenticate).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthRuntime, appOptionsOf, buildApp, loadConfig, openAuthRuntime } from '@city/api';
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import { generateSigningKey } from '@city/jwt';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let api: FastifyInstance;
let runtime: AuthRuntime;
let dataDir: string;
let issuer: string;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts `node dist/server.js` and resolves with its base URL once it prints where it listens. */
async function startOrdersService(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'server.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      ORDERS_ISSUER: issuer,
      ORDERS_AUDIENCE: runtime.jwt.audience,
      ORDERS_JWKS_COOLDOWN_SECONDS: '0',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`orders service exited ${code}: ${stderr}`)));
  });
}

interface Account {
  uuid: string;
  password: string;
  deviceId: string;
  privateKeyPem: string;
}

async function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function register(): Promise<Account> {
  const key = await generateKeyPair('ecdsa-p256');
  const suffix = `${process.pid}${Math.floor(Math.random() * 1e9)}`;
  const password = 'correct horse battery staple';
  const response = await post('/register', {
    username: `orders${suffix}`.slice(0, 32),
    name: 'Orders Test',
    birth_date: '2000-01-01',
    address: 'Test Address',
    email: `orders${suffix}@example.com`,
    phone: '080-1234-5678',
    password,
    initial_harmony_token: '100',
    csr: await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { uuid: string; deviceId: string };
  return { uuid: body.uuid, password, deviceId: body.deviceId, privateKeyPem: key.privateKeyPem };
}

async function login(account: Account): Promise<string> {
  const challenge = (await (await post('/login/challenge', undefined)).json()) as {
    challengeId: string;
    challenge: string;
  };
  const response = await post('/login', {
    identifier: account.uuid,
    password: account.password,
    challenge_id: challenge.challengeId,
    signature: signChallenge(account.privateKeyPem, challenge.challenge),
    device_id: account.deviceId,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function get(base: string, path: string, token?: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

async function answer(
  response: Response,
): Promise<{ status: number; body: unknown; wwwAuthenticate: string | null }> {
  return {
    status: response.status,
    body: await response.json(),
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'city-orders-example-'));
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    CITY_DATA_DIR: dataDir,
    CITY_ISSUER: issuer,
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
  });
  runtime = await openAuthRuntime(config);
  api = await buildApp({ ...appOptionsOf(runtime), config, logger: false });
  await api.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
    ),
  );
  await api?.close();
  await runtime?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the example orders service with the issuer URL alone', () => {
  let orders: string;
  let account: Account;
  beforeAll(async () => {
    orders = await startOrdersService();
    account = await register();
  });

  it('accepts an access token issued by the API and sees its user and device', async () => {
    const token = await login(account);
    const response = await get(orders, '/orders', token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ owner: account.uuid, device: account.deviceId, orders: [] });
    expect((await get(orders, '/health')).status).toBe(200);
  });

  it('refuses as the API refuses: no token, a broken token, a missing permission', async () => {
    const token = await login(account);
    expect(await answer(await get(orders, '/orders'))).toEqual(await answer(await get(issuer, '/me')));
    const broken = `${token.slice(0, -4)}AAAA`;
    const ours = await answer(await get(orders, '/orders', broken));
    expect(ours.status).toBe(401);
    expect(ours).toEqual(await answer(await get(issuer, '/me', broken)));
    const forbidden = await answer(await get(orders, '/reports', token));
    expect(forbidden.status).toBe(403);
    expect(forbidden).toEqual(await answer(await get(issuer, '/admin/audit', token)));
  });

  it('keeps accepting tokens across a signing-key rotation of the API (old and new key)', async () => {
    const before = await login(account);
    expect((await get(orders, '/orders', before)).status).toBe(200);
    runtime.jwt.keys.rotate(await generateSigningKey('ML-DSA-65'));
    const after = await login(account);
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'ML-DSA-65',
      kid: runtime.jwt.keys.active.kid,
    });
    expect((await get(orders, '/orders', after)).status).toBe(200);
    expect((await get(orders, '/orders', before)).status).toBe(200);
  });

  it('without introspection, a token keeps working after logout until it expires (the bound of a JWT)', async () => {
    const token = await login(account);
    expect((await post('/logout', undefined, token)).status).toBe(204);
    expect((await get(issuer, '/me', token)).status).toBe(401);
    const response = await get(orders, '/orders', token);
    expect(response.status).toBe(200);
  });
});

describe('the example orders service with introspection (a registered service)', () => {
  let credentials: { ORDERS_CLIENT_ID: string; ORDERS_CLIENT_SECRET: string };
  let account: Account;
  beforeAll(async () => {
    const client = await runtime.auth.addServiceClient(
      { operator: 'test' },
      { client_id: `orders-${process.pid}`, name: 'Orders example' },
    );
    credentials = { ORDERS_CLIENT_ID: client.clientId, ORDERS_CLIENT_SECRET: client.clientSecret };
    account = await register();
  });

  it('refuses a token at once after logout when every answer is fresh (cache 0)', async () => {
    const orders = await startOrdersService({ ...credentials, ORDERS_INTROSPECTION_CACHE_SECONDS: '0' });
    const token = await login(account);
    expect((await get(orders, '/orders', token)).status).toBe(200);
    expect((await post('/logout', undefined, token)).status).toBe(204);
    const refused = await answer(await get(orders, '/orders', token));
    expect(refused).toEqual({
      status: 401,
      body: { error: { code: 'TOKEN_REVOKED', message: 'The token has been revoked.' } },
      wwwAuthenticate: 'Bearer realm="city-chain-auth", error="invalid_token"',
    });
  });

  it('with a cache, keeps a logged-out token only until its cached answer ages out', async () => {
    const cached = await startOrdersService({ ...credentials, ORDERS_INTROSPECTION_CACHE_SECONDS: '600' });
    const short = await startOrdersService({ ...credentials, ORDERS_INTROSPECTION_CACHE_SECONDS: '1' });
    const token = await login(account);
    expect((await get(cached, '/orders', token)).status).toBe(200);
    expect((await get(short, '/orders', token)).status).toBe(200);
    expect((await post('/logout', undefined, token)).status).toBe(204);
    // Within the 600 s bound the cached answer stands; the 1 s cache asks again and refuses.
    expect((await get(cached, '/orders', token)).status).toBe(200);
    let status = 200;
    for (let attempt = 0; attempt < 50 && status === 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await get(short, '/orders', token)).status;
    }
    expect(status).toBe(401);
  });

  it('wrong service credentials are a 503 at the service, never access', async () => {
    const orders = await startOrdersService({ ...credentials, ORDERS_CLIENT_SECRET: 'wrong' });
    const response = await answer(await get(orders, '/orders', await login(account)));
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: { code: 'AUTH_SERVER_UNAVAILABLE' } });
  });
});
