/**
 * Rate limits counted in the ports' CounterStore (dynalite here) are shared by every API
 * instance using the same store; over the limit is 429 RATE_LIMITED with Retry-After.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStorageConfigFromEnv } from '@city/db-integration';
import {
  createDynamoStores,
  createTables,
  type DynamoStores,
  ensureBucket,
} from '@city/db-integration/dynamodb';
import { type LocalService, startDynalite, startS3rver } from '@city/dev-engines';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';
import { counterRateLimitStore } from '../src/counter-rate-limit-store.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from '../src/open-auth-runtime.js';
import { bearer, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let dir: string;
let dynalite: LocalService;
let stores: DynamoStores;
let t: TestApp;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'city-api-rate-'));
  dynalite = await startDynalite({ dataDir: join(dir, 'dynamodb') });
  const storage = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: dynalite.endpoint,
    CITY_S3_ENDPOINT: 'http://127.0.0.1:9',
    CITY_OUTBOX_DIR: join(dir, 'outbox'),
  });
  await createTables(storage);
  stores = createDynamoStores(storage);
  t = await openTestApp();
  const config = loadConfig({ CITY_DATA_DIR: dir, CITY_RATE_LIMIT: '3', CITY_CREDENTIAL_RATE_LIMIT: '0' });
  for (let i = 0; i < 2; i += 1) {
    apps.push(await buildApp({ auth: t.runtime.auth, config, logger: false, counters: stores.counters }));
  }
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await t?.close();
  await stores?.close();
  await dynalite?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('shares the per-address budget across instances through the CounterStore', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    const app = apps[i % 2]!;
    statuses.push(
      (await app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.1' })).statusCode,
    );
  }
  expect(statuses).toEqual([200, 200, 200, 429]);
  const limited = await apps[1]!.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.1' });
  expect(limited.statusCode).toBe(429);
  expect(json(limited)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  // Another address has its own budget.
  expect(
    (await apps[0]!.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.2' })).statusCode,
  ).toBe(200);
});

it('the store reports count and remaining window from the counters', async () => {
  const Store = counterRateLimitStore(stores.counters, { namespace: 'unit', now: () => 1_000_000 });
  const store = new Store({});
  const result = await new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    store.incr('k', (error, value) => (error ? reject(error) : resolve(value!)), 60_000, 10),
  );
  expect(result.current).toBe(1);
  expect(result.ttl).toBeLessThanOrEqual(60_000);
  const child = store.child({ routeInfo: { method: 'POST', url: '/login' } });
  const routeResult = await new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    child.incr('k', (error, value) => (error ? reject(error) : resolve(value!)), 60_000, 10),
  );
  expect(routeResult.current).toBe(1);
  expect(await stores.counters.get('unit:route:POST /login:k', 1_000_000)).toMatchObject({ count: 1 });
  expect(() => store.child({ routeInfo: {} })).toThrow(TypeError);
});

it('exhausting one credential route leaves the others untouched (a budget per route and address)', async () => {
  const config = loadConfig({ CITY_DATA_DIR: dir, CITY_RATE_LIMIT: '0', CITY_CREDENTIAL_RATE_LIMIT: '2' });
  const app = await buildApp({ auth: t.runtime.auth, config, logger: false, counters: stores.counters });
  apps.push(app);
  const address = '198.51.100.40';
  const login = () =>
    app.inject({
      method: 'POST',
      url: '/login',
      payload: { identifier: 'nobody-here', password: 'wrong password 1', proof: 'fingerprint' },
      remoteAddress: address,
    });
  const loginStatuses = [(await login()).statusCode, (await login()).statusCode, (await login()).statusCode];
  expect(loginStatuses.slice(0, 2)).not.toContain(429);
  expect(loginStatuses[2]).toBe(429);
  // Register, from the same address, still has its whole budget.
  const register = await app.inject({
    method: 'POST',
    url: '/register',
    payload: { username: 'x' },
    remoteAddress: address,
  });
  expect(register.statusCode).toBe(422);
  const now = Date.now();
  expect(await stores.counters.get(`rate:route:POST /login:${address}`, now)).toMatchObject({ count: 3 });
  expect(await stores.counters.get(`rate:route:POST /register:${address}`, now)).toMatchObject({ count: 1 });
  expect(await stores.counters.get(`rate:route::${address}`, now)).toBeUndefined();
});

describe('apps built from the runtime (as `pnpm start` builds them)', () => {
  it('two runtimes on one data store share the per-address budget, and an extension route authenticates tokens the other issued', async () => {
    const sharedDir = await mkdtemp(join(tmpdir(), 'city-api-rate-runtime-'));
    const s3 = await startS3rver({ dataDir: join(sharedDir, 's3') });
    const env = {
      CITY_MODE: 'aws',
      CITY_DATA_DIR: sharedDir,
      CITY_SECRETS_DIR: join(sharedDir, 'secrets'),
      CITY_DYNAMODB_ENDPOINT: dynalite.endpoint,
      CITY_TABLE_PREFIX: 'rt_',
      CITY_S3_ENDPOINT: s3.endpoint,
      CITY_OUTBOX_DIR: join(sharedDir, 'outbox'),
      CITY_ISSUER: 'https://auth.rate.test',
      CITY_AUDIENCE: 'rate-aud',
      CITY_RATE_LIMIT: '3',
      CITY_CREDENTIAL_RATE_LIMIT: '0',
    };
    const config = loadConfig(env);
    await createTables(config.storage!);
    await ensureBucket(config.storage!);
    const runtimes: AuthRuntime[] = [];
    const runtimeApps: FastifyInstance[] = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const runtime = await openAuthRuntime(config);
        runtimes.push(runtime);
        runtimeApps.push(await buildApp({ ...appOptionsOf(runtime), config, logger: false }));
      }
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const response = await runtimeApps[i % 2]!.inject({
          method: 'GET',
          url: '/health',
          remoteAddress: '203.0.113.7',
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);

      // An extension route an embedder adds is guarded by the same check as the built-in routes
      // (app.authenticate: signature, claims, revocation, user and device status).
      const session = await registerAndLogin(runtimeApps[0]!, {});
      const app = await buildApp({ ...appOptionsOf(runtimes[1]!), config, logger: false });
      runtimeApps.push(app);
      app.get('/extension/claims', { preHandler: app.authenticate }, async (request) => request.principal);
      const verified = await app.inject({
        method: 'GET',
        url: '/extension/claims',
        headers: bearer(session.accessToken),
        remoteAddress: '203.0.113.8',
      });
      expect(verified.statusCode).toBe(200);
      expect(JSON.stringify(json(verified))).toContain(session.uuid);
      const me = await app.inject({
        method: 'GET',
        url: '/me',
        headers: bearer(session.accessToken),
        remoteAddress: '203.0.113.8',
      });
      expect(me.statusCode).toBe(200);
    } finally {
      for (const app of runtimeApps) await app.close();
      for (const runtime of runtimes) await runtime.close();
      await s3.stop();
      await rm(sharedDir, { recursive: true, force: true });
    }
  });
});
