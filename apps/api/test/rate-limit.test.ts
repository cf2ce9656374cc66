/**
 * Rate limits counted in the ports' CounterStore (dynalite here) are shared by every API
 * instance using the same store; over the limit is 429 RATE_LIMITED with Retry-After.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDynamoStores,
  createTables,
  type DynamoStores,
  type LocalService,
  loadStorageConfigFromEnv,
  startDynalite,
} from '@city/db-integration';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';
import { counterRateLimitStore } from '../src/counter-rate-limit-store.js';
import { json, openTestApp, type TestApp } from './helpers/test-app.js';

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
  const child = store.child({ path: '/login' });
  const routeResult = await new Promise<{ current: number; ttl: number }>((resolve, reject) =>
    child.incr('k', (error, value) => (error ? reject(error) : resolve(value!)), 60_000, 10),
  );
  expect(routeResult.current).toBe(1);
});
