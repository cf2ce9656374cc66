/**
 * Scale: login p99 with 1,000 vs 100,000 registered users in the embedded store (dynalite on
 * LevelDB). The users that log in are registered through the API; the rest are seeded straight into
 * the store with one precomputed Argon2id hash and a fake device each: the first 1,000 through the
 * @city/db-integration stores (`users.create`, `devices.create`, with their uniqueness claims), the
 * rest with BatchWriteItem (25 items a call) in exactly the item layout those stores write, because
 * the per-user conditional writes would take too long for 100,000. Seeding runs while the API is
 * stopped (LevelDB has one owner). Two data directories (1,000 and 100,000 users) are served
 * alternately, twice each, so that load from elsewhere on the machine hits both sizes alike; the
 * login lookups themselves (username → user, device) are also timed directly against each store.
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
import { type SampleStats, timeSequential } from './lib/measure.ts';
import { report } from './lib/report.ts';

const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_SCALE_USERS ?? 100_000);
const LOGIN_BODIES = Number(process.env.BENCH_SCALE_LOGIN_BODIES ?? 1_500);
const LOOKUPS = 500;

const ROUNDS = 2;
const sharedHash = await hashPassword(`seed-${randomBytes(8).toString('hex')}`);
const certificatePem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';

interface Store {
  readonly dataDir: string;
  seeded: number;
  users: CityUser[];
}

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
  store: Store,
  target: number,
  method: 'stores' | 'batch',
): Promise<{ seconds: number; users: number }> {
  const dataDir = store.dataDir;
  const seeded = store.seeded;
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
  store.seeded = target;
  return { seconds: (performance.now() - start) / 1000, users: count };
}

/** Times the store reads a login makes (username claim → user, then the device) with the API stopped. */
async function timeLookups(store: Store): Promise<SampleStats> {
  const dynamo = await startDynalite({ dataDir: join(store.dataDir, 'dynamodb') });
  const storage = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_OUTBOX_DIR: join(store.dataDir, 'outbox'),
  });
  const stores = createDynamoStores(storage);
  let i = 0;
  const stats = await timeSequential(LOOKUPS, async () => {
    const user = store.users[i++ % store.users.length] as CityUser;
    const found = await stores.users.getByUsernameKey(user.username);
    if (found === undefined) throw new Error(`user ${user.username} not found`);
    await stores.devices.get(found.uuid, user.deviceId);
  });
  await stores.close();
  await dynamo.stop();
  return stats;
}

async function measureLogin(store: Store): Promise<LoadResult> {
  const users = store.users;
  const city = await startServer('city-server.ts', [store.dataDir]);
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

async function openStore(): Promise<Store> {
  const store: Store = { dataDir: mkdtempSync(join(tmpdir(), 'city-bench-scale-')), seeded: 0, users: [] };
  // The users that log in, through the API (this also creates the tables and secrets).
  const city = await startServer('city-server.ts', [store.dataDir]);
  const tag = runTag();
  store.users = await mapLimit(
    Array.from({ length: CONNECTIONS }, (_, i) => i),
    4,
    (i) => registerUser(city.url, tag, i),
  );
  await city.stop();
  store.seeded = store.users.length;
  return store;
}

const small = await openStore();
const large = await openStore();
try {
  const smallSeed = await seedTo(small, SMALL, 'stores');
  console.log(`seeded ${smallSeed.users} users through the stores in ${smallSeed.seconds.toFixed(1)} s`);
  const largeSeed = await seedTo(large, LARGE, 'batch');
  console.log(`seeded ${largeSeed.users} users with BatchWriteItem in ${largeSeed.seconds.toFixed(1)} s`);
  const lookupSmall = await timeLookups(small);
  const lookupLarge = await timeLookups(large);

  const runs: { small: LoadResult[]; large: LoadResult[] } = { small: [], large: [] };
  for (let r = 0; r < ROUNDS; r++) {
    runs.small.push(await measureLogin(small));
    runs.large.push(await measureLogin(large));
  }
  const mean = (xs: LoadResult[], pick: (x: LoadResult) => number) =>
    xs.reduce((sum, x) => sum + pick(x), 0) / xs.length;
  const fig = (pick: (x: LoadResult) => number) => ({
    ours: mean(runs.large, pick),
    peer: mean(runs.small, pick),
  });
  const small1k = SMALL.toLocaleString('en-US');
  const large100k = LARGE.toLocaleString('en-US');

  report({
    name: 'scale',
    title: `Login with ${large100k} vs ${small1k} users (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s, mean of ${ROUNDS} alternating runs)`,
    peerName: `${small1k} users`,
    rows: [
      {
        metric: `login p99, ${large100k} users (ours) vs ${small1k} (peer column)`,
        unit: 'ms',
        ...fig((x) => x.latencyP99Ms),
        target: { on: 'ratio', op: '<=', value: 1.1 },
      },
      { metric: 'login p50', unit: 'ms', ...fig((x) => x.latencyP50Ms) },
      { metric: 'login throughput', unit: 'req/s', ...fig((x) => x.requestsPerSecond) },
      { metric: 'login non-2xx', unit: 'count', ...fig((x) => x.non2xx) },
      {
        metric: 'store lookups of one login, p50 (user by username + device)',
        unit: 'ms',
        ours: lookupLarge.p50Ms,
        peer: lookupSmall.p50Ms,
      },
      {
        metric: 'store lookups of one login, p99',
        unit: 'ms',
        ours: lookupLarge.p99Ms,
        peer: lookupSmall.p99Ms,
      },
      {
        metric: 'seeding rate',
        unit: 'users/s',
        ours: largeSeed.users / largeSeed.seconds,
        peer: smallSeed.users / smallSeed.seconds,
        note: 'ours: BatchWriteItem (25 items a call); peer column: one user at a time through the stores',
      },
    ],
    details: {
      runs,
      lookupSmall,
      lookupLarge,
      smallSeed,
      largeSeed,
      warmupS: WARMUP_S,
      loginBodies: LOGIN_BODIES,
    },
  });
} finally {
  rmSync(small.dataDir, { recursive: true, force: true });
  rmSync(large.dataDir, { recursive: true, force: true });
}
