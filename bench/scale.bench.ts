/**
 * Scale: login p99 with 1,000 vs 100,000 registered users in the embedded default store (SQLite,
 * `<dataDir>/city.db` through `node:sqlite`, in the API process). The users that log in are
 * registered through the API; the rest are seeded straight into the same database, one user at a
 * time through the @city/db-integration stores (`createSqliteStores`: `users.create` +
 * `devices.create`, uniqueness included) with one precomputed Argon2id hash and a fake device each,
 * for both sizes. Seeding runs while the API process is stopped (SQLite would allow a concurrent
 * writer, but then the seeding rate would measure lock contention, not the store). Two data
 * directories (1,000 and 100,000 users) are served alternately, twice each, so that load from
 * elsewhere on the machine hits both sizes alike; the store reads a login makes (username key →
 * user, then the device) are also timed directly against each database.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxNotifier } from '@city/db-integration';
import { createSqliteStores, type SqliteStores } from '@city/db-integration/sqlite';
import { hashPassword } from '@city/password';
import type { DeviceRecord, UserRecord } from '@city/ports';
import { type CityUser, mapLimit, registerUser, runTag, signedLoginBody } from './lib/city-client.ts';
import {
  CONNECTIONS,
  DURATION_S,
  type LoadResult,
  measureLoad,
  preparedPosts,
  startServer,
  WARMUP_S,
} from './lib/load.ts';
import { type SampleStats, timeSequential } from './lib/measure.ts';
import { report } from './lib/report.ts';

const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_SCALE_USERS ?? 100_000);
const LOGIN_BODIES = Number(process.env.BENCH_SCALE_LOGIN_BODIES ?? 4_000);
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

/** Opens the data directory's database the way `openEmbeddedAuth` does (same file, same outbox). */
async function withStores<T>(store: Store, work: (stores: SqliteStores) => Promise<T>): Promise<T> {
  const notifier = new OutboxNotifier({ dir: join(store.dataDir, 'outbox') });
  const stores = createSqliteStores({ path: join(store.dataDir, 'city.db'), notifier });
  try {
    return await work(stores);
  } finally {
    await stores.close();
    await notifier.stop();
  }
}

/** Seeds users up to `target` (the API users count too), one at a time; returns seconds taken. */
async function seedTo(store: Store, target: number): Promise<{ seconds: number; users: number }> {
  const first = store.seeded;
  const count = target - first;
  const seconds = await withStores(store, async (stores) => {
    const now = Date.now();
    const start = performance.now();
    for (let i = first; i < target; i++) {
      const { user, device } = fakeUser(i, now);
      await stores.users.create(user);
      await stores.devices.create(device);
    }
    return (performance.now() - start) / 1000;
  });
  const total = await withStores(store, (stores) => countUsers(stores));
  if (total !== target) throw new Error(`expected ${target} users in ${store.dataDir}, found ${total}`);
  store.seeded = target;
  return { seconds, users: count };
}

/** Counts the users through the port's listing (proves the seeded rows are there and readable). */
async function countUsers(stores: SqliteStores): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await stores.users.list({ limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
    total += page.items.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return total;
}

/** Times the store reads a login makes (username key → user, then the device) with the API stopped. */
async function timeLookups(store: Store): Promise<SampleStats> {
  return withStores(store, async (stores) => {
    let i = 0;
    return timeSequential(LOOKUPS, async () => {
      const user = store.users[i++ % store.users.length] as CityUser;
      // The login path's key: NFKC + lower case (validateUsername); the bench usernames already are.
      const found = await stores.users.getByUsernameKey(user.username.normalize('NFKC').toLowerCase());
      if (found === undefined) throw new Error(`user ${user.username} not found`);
      const device = await stores.devices.get(found.uuid, user.deviceId);
      if (device === undefined) throw new Error(`device ${user.deviceId} of ${user.username} not found`);
    });
  });
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
    const logins = preparedPosts('/login', bodies);
    const result = await measureLoad({ url: city.url, requests: logins.requests });
    logins.assertEnough('; raise BENCH_SCALE_LOGIN_BODIES');
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

type Seed = Awaited<ReturnType<typeof seedTo>>;
const seeds: Seed[] = [];
const small = await openStore();
const large = await openStore();
try {
  for (const [store, target] of [
    [small, SMALL],
    [large, LARGE],
  ] as const) {
    const seed = await seedTo(store, target);
    seeds.push(seed);
    console.log(
      `seeded ${seed.users} users through the SQLite stores in ${seed.seconds.toFixed(1)} s (${Math.round(seed.users / seed.seconds)} users/s)`,
    );
  }
  const [smallSeed, largeSeed] = seeds as [Seed, Seed];
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
        note: 'both columns: one user at a time through the SQLite stores (users.create + devices.create), API stopped',
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
