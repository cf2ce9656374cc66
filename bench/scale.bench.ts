/**
 * Scale: login p99 with 1,000 vs 100,000 registered users in the embedded store (dynalite on
 * LevelDB). The users that log in are registered through the API; the rest are seeded straight into
 * the store with one precomputed Argon2id hash and a fake device each: the first 1,000 through the
 * @city/db-integration stores (`users.create`, `devices.create`, with their uniqueness claims), the
 * rest with BatchWriteItem (25 items a call) in exactly the item layout those stores write, because
 * the per-user conditional writes would take too long for 100,000. Seeding runs while the API is
 * stopped (LevelDB has one owner), then the same data directory is served again.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoStores, loadStorageConfigFromEnv, startDynalite } from '@city/db-integration';
import { hashPassword } from '@city/password';
import type { DeviceRecord, UserRecord } from '@city/ports';
import { type CityUser, mapLimit, registerUser, runTag, signedLoginBody } from './lib/city-client.ts';
import { CONNECTIONS, DURATION_S, type LoadResult, measureLoad, startServer, WARMUP_S } from './lib/load.ts';
import { report } from './lib/report.ts';

const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_SCALE_USERS ?? 100_000);
const LOGIN_BODIES = Number(process.env.BENCH_SCALE_LOGIN_BODIES ?? 1_500);

const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-scale-'));
const sharedHash = await hashPassword(`seed-${randomBytes(8).toString('hex')}`);
let seeded = 0;
let certificatePem = '';

function fakeUser(i: number, now: number): { user: UserRecord; device: DeviceRecord } {
  const uuid = randomUUID();
  const username = `seed${i}`;
  const user: UserRecord = {
    uuid,
    username,
    usernameKey: username,
    emailIndex: createHash('sha256').update(`seed${i}@bench.example`).digest('base64url'),
    passwordHash: sharedHash,
    roles: ['user'],
    status: 'active',
    encrypted: { email: randomBytes(48).toString('base64url') },
    initialHarmonyToken: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const device: DeviceRecord = {
    deviceId: 'seed-device',
    userUuid: uuid,
    fingerprint: randomBytes(32).toString('hex'),
    serialNumber: randomBytes(16).toString('hex'),
    certificatePem,
    algorithm: 'ml-dsa-65',
    certificateKey: `certificates/${uuid}/seed-device.pem`,
    status: 'active',
    createdAt: now,
    notAfter: now + 365 * 86_400_000,
  };
  return { user, device };
}

/** Seeds users up to `target` (the API users count too); returns seconds taken and the method. */
async function seedTo(
  target: number,
  method: 'stores' | 'batch',
): Promise<{ seconds: number; users: number }> {
  const dynamo = await startDynalite({ dataDir: join(dataDir, 'dynamodb') });
  const storage = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_OUTBOX_DIR: join(dataDir, 'outbox'),
  });
  const start = performance.now();
  const count = target - seeded;
  const now = Date.now();
  if (method === 'stores') {
    const stores = createDynamoStores(storage);
    await mapLimit(
      Array.from({ length: count }, (_, k) => seeded + k),
      16,
      async (i) => {
        const { user, device } = fakeUser(i, now);
        await stores.devices.create(device);
        await stores.users.create(user);
      },
    );
    await stores.close();
  } else {
    const tables = storage.dynamodb.tables;
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: storage.region,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      }),
    );
    const items: { table: string; item: Record<string, unknown> }[] = [];
    const flush = async (batch: typeof items) => {
      const byTable: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {};
      for (const { table, item } of batch) {
        const list = byTable[table] ?? [];
        list.push({ PutRequest: { Item: item } });
        byTable[table] = list;
      }
      let pending: typeof byTable | undefined = byTable;
      while (pending !== undefined && Object.keys(pending).length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof byTable | undefined;
      }
    };
    const batches: (typeof items)[] = [];
    for (let i = seeded; i < seeded + count; i++) {
      const { user, device } = fakeUser(i, now);
      const owner = `${device.userUuid}:${device.deviceId}`;
      items.push(
        { table: tables.users, item: { ...user } },
        {
          table: tables.uniqueClaims,
          item: { claim: `username#${user.usernameKey}`, owner: user.uuid, createdAt: now },
        },
        {
          table: tables.uniqueClaims,
          item: { claim: `email#${user.emailIndex}`, owner: user.uuid, createdAt: now },
        },
        { table: tables.devices, item: { ...device } },
        {
          table: tables.uniqueClaims,
          item: { claim: `fingerprint#${device.fingerprint}`, owner, createdAt: now },
        },
      );
      while (items.length >= 25) batches.push(items.splice(0, 25));
    }
    if (items.length > 0) batches.push(items.splice(0));
    await mapLimit(batches, 8, flush);
    doc.destroy();
  }
  await dynamo.stop();
  seeded = target;
  return { seconds: (performance.now() - start) / 1000, users: count };
}

async function measureLogin(users: readonly CityUser[]): Promise<LoadResult> {
  const city = await startServer('city-server.ts', [dataDir]);
  try {
    const bodies = await mapLimit(
      Array.from({ length: LOGIN_BODIES }, (_, i) => i),
      8,
      (i) => signedLoginBody(city.url, users[i % users.length] as CityUser),
    );
    let next = 0;
    const result = await measureLoad({
      url: city.url,
      requests: [
        {
          method: 'POST',
          path: '/login',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request: Record<string, unknown>) => ({
            ...request,
            body: bodies[next++] ?? bodies[0],
          }),
        },
      ],
    });
    if (next > bodies.length)
      console.log(`warning: ran out of prepared login bodies (${next} > ${bodies.length})`);
    return result;
  } finally {
    await city.stop();
  }
}

try {
  // The users that log in, through the API (this also creates the tables and secrets).
  const city = await startServer('city-server.ts', [dataDir]);
  const tag = runTag();
  const users = await mapLimit(
    Array.from({ length: CONNECTIONS }, (_, i) => i),
    4,
    (i) => registerUser(city.url, tag, i),
  );
  const first = await fetch(`${city.url}/.well-known/jwks.json`);
  if (!first.ok) throw new Error('API not ready');
  await city.stop();
  seeded = users.length;
  certificatePem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';

  const smallSeed = await seedTo(SMALL, 'stores');
  console.log(`seeded ${smallSeed.users} users through the stores in ${smallSeed.seconds.toFixed(1)} s`);
  const small = await measureLogin(users);
  const largeSeed = await seedTo(LARGE, 'batch');
  console.log(`seeded ${largeSeed.users} users with BatchWriteItem in ${largeSeed.seconds.toFixed(1)} s`);
  const large = await measureLogin(users);

  report({
    name: 'scale',
    title: `Login with ${SMALL.toLocaleString('en-US')} vs ${LARGE.toLocaleString('en-US')} users (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`,
    peerName: `${SMALL.toLocaleString('en-US')} users`,
    rows: [
      {
        metric: `login p99, ${LARGE.toLocaleString('en-US')} users (ours) vs ${SMALL.toLocaleString('en-US')} (peer column)`,
        unit: 'ms',
        ours: large.latencyP99Ms,
        peer: small.latencyP99Ms,
        target: { on: 'ratio', op: '<=', value: 1.1 },
      },
      { metric: 'login p50', unit: 'ms', ours: large.latencyP50Ms, peer: small.latencyP50Ms },
      {
        metric: 'login throughput',
        unit: 'req/s',
        ours: large.requestsPerSecond,
        peer: small.requestsPerSecond,
      },
      { metric: 'login non-2xx', unit: 'count', ours: large.non2xx, peer: small.non2xx },
      {
        metric: 'seeding rate',
        unit: 'users/s',
        ours: largeSeed.users / largeSeed.seconds,
        peer: smallSeed.users / smallSeed.seconds,
        note: 'ours: BatchWriteItem for the bulk; peer column: one user at a time through the stores',
      },
    ],
    details: { small, large, smallSeed, largeSeed, warmupS: WARMUP_S, loginBodies: LOGIN_BODIES },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
