/**
 * Scale-out as an operator runs it: two API processes (`node dist/server.js`, `CITY_MODE=aws`)
 * on one DynamoDB Local and one S3 endpoint (moto), each with its own secrets directory and
 * outbox directory, started the documented way (tables and bucket provisioned first; the first
 * instance creates the secrets, keeping the key vault in S3; the second is given the root key
 * only). Across both processes:
 * a 40-way username race creates one user, a 20-way redemption of one pairing token pairs one
 * device, a logout on one is refused on the other, and the engine stopped or frozen (SIGSTOP of
 * the DynamoDB Local process this test started) gives 503 + Retry-After, then recovery without a
 * restart of either API.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStorageConfigFromEnv } from '@city/db-integration';
import { createTables, ensureBucket } from '@city/db-integration/dynamodb';
import { type LocalService, startDynamoDbLocal, startMotoServer } from '@city/dev-engines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpAnswer,
  login,
  newUser,
  PASSWORD,
  registerUser,
  sender,
} from '../support/reliability-harness.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const serverJs = join(packageDir, 'dist', 'server.js');
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const runs = (command: string, args: string[]): boolean => {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
};
const javaAvailable = runs('java', ['-version']);
const motoAvailable = runs('moto_server', ['--help']) || runs('python3', ['-c', 'import moto.server, flask']);
const skipReason = inCi
  ? undefined
  : !javaAvailable
    ? 'needs Java 17+ for DynamoDB Local (apt-get install openjdk-17-jre-headless)'
    : !motoAvailable
      ? 'needs moto for S3 (pip install "moto[server]")'
      : undefined;

/**
 * How late another instance may honour a logout. In aws mode a verified access token is cached
 * only while the shared change epoch the instance last read stands (polled every 250 ms, no cached
 * answer once it could not be read for 1 s), so the refusal comes within about one poll; the bound
 * only absorbs a loaded machine. `pnpm bench aws` measures the refusal time itself.
 */
const REVOCATION_BOUND_MS = 5_000;
/**
 * Store deadline of the instances (`CITY_STORE_DEADLINE_MS`): a frozen engine is answered 503 at
 * this point. Above the 5 s default because a cold DynamoDB Local on a loaded 2-core machine can
 * take seconds per call in the races below, which the deadline would answer 503.
 */
const STORE_DEADLINE_MS = 10_000;
/**
 * Each SDK attempt alone may wait this long (`CITY_DYNAMODB_REQUEST_TIMEOUT_MS`): without the store
 * deadline a request to a frozen engine would hang 3 × 60 s.
 */
const ATTEMPT_TIMEOUT_MS = 60_000;
/**
 * A generous bound on the answer to a request while the engine is frozen: many times the store
 * deadline (a loaded machine), far below what the attempts alone would take.
 */
const FROZEN_ANSWER_BOUND_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Polls `check` until it holds or `timeoutMs` passes (waiting for a process, not timing it). */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ApiProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

const dirs: string[] = [];
const tempDir = (label: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `city-scaleout-${label}-`));
  dirs.push(dir);
  return dir;
};

let dynamo: LocalService | undefined;
let dynamoPort = 0;
let dynamoDir = '';
let s3: LocalService | undefined;
const apis: ApiProcess[] = [];
let env: Record<string, string> = {};

async function startApi(secretsDir: string): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CITY_SECRETS_DIR: secretsDir,
      // One outbox directory per instance: the outbox is a local file, never shared.
      CITY_OUTBOX_DIR: tempDir('outbox'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const api: ApiProcess = { child, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exit };
  apis.push(api);
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  await eventually(
    async () => {
      if (exited) throw new Error(`the API exited during start-up:\n${output}`);
      return fetch(`${api.baseUrl}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    90_000,
    'API ready',
  );
  return api;
}

let a: ApiProcess;
let b: ApiProcess;

beforeAll(async () => {
  if (skipReason !== undefined) return;
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run pnpm build first`);
  dynamoDir = tempDir('dynamodb');
  dynamo = await startDynamoDbLocal({ dataDir: dynamoDir });
  dynamoPort = Number(new URL(dynamo.endpoint).port);
  s3 = await startMotoServer();
  const tag = randomBytes(3).toString('hex');
  env = {
    CITY_MODE: 'aws',
    LOG_LEVEL: 'warn',
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_TABLE_PREFIX: `scale${tag}_`,
    CITY_S3_ENDPOINT: s3.endpoint,
    CITY_S3_BUCKET: `scale-${tag}`,
    CITY_STORE_DEADLINE_MS: String(STORE_DEADLINE_MS),
    CITY_DYNAMODB_REQUEST_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
    // The races below come from one address: the per-address limits would answer 429 instead.
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
  };
  // Infrastructure first, as an operator does: tables and bucket exist before any instance starts.
  const storage = loadStorageConfigFromEnv({ ...env, CITY_OUTBOX_DIR: tempDir('provision') });
  await createTables(storage);
  await ensureBucket(storage);
  // The first instance creates the secrets: the root key in its directory, the key vault in S3.
  // The second is given the root key only, and opens the same vault from the bucket.
  const firstSecrets = tempDir('secrets-a');
  a = await startApi(firstSecrets);
  expect(existsSync(join(firstSecrets, 'keyvault'))).toBe(false);
  const secondSecrets = tempDir('secrets-b');
  copyFileSync(join(firstSecrets, 'keyvault-kem.key'), join(secondSecrets, 'keyvault-kem.key'));
  b = await startApi(secondSecrets);
  // Warm both instances and the engine's JVM before the races.
  for (const api of [a, b]) await registerUser(sender(api.baseUrl));
}, 300_000);

afterAll(async () => {
  if (dynamo?.pid !== undefined) {
    try {
      process.kill(dynamo.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  for (const api of apis) {
    api.child.kill('SIGTERM');
    const forced = setTimeout(() => api.child.kill('SIGKILL'), 10_000);
    await api.exit;
    clearTimeout(forced);
  }
  await dynamo?.stop();
  await s3?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

function expectNoServerError(answers: readonly HttpAnswer[]): void {
  for (const answer of answers) {
    expect(
      answer.status,
      `${answer.text}\n${apis.map((api) => api.output().slice(-3_000)).join('\n')}`,
    ).toBeLessThan(500);
    if (answer.status >= 400) expect(answer.body?.error?.code, answer.text).toEqual(expect.any(String));
  }
}

/** A request that must be answered within {@link FROZEN_ANSWER_BOUND_MS} (else it fails as hung). */
async function boundedFetch(
  api: ApiProcess,
  method: string,
  path: string,
  options: { body?: unknown; token?: string },
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers,
    signal: AbortSignal.timeout(FROZEN_ANSWER_BOUND_MS),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  }).catch((error: unknown) => {
    throw new Error(
      `${method} ${path} got no answer within ${FROZEN_ANSWER_BOUND_MS} ms while the engine was frozen`,
      {
        cause: error,
      },
    );
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body, text };
}

function expectUnavailable(answer: HttpAnswer): void {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.body.error.code).toBe('STORE_UNAVAILABLE');
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
}

describe.skipIf(skipReason !== undefined)(
  `two API processes on one DynamoDB Local + S3${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    it('40 registrations of one username across both instances: exactly one user', async () => {
      const base = newUser();
      const sends = [sender(a.baseUrl), sender(b.baseUrl)];
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          sends[i % 2]!('POST', '/register', { body: { ...base, email: `race${i}.${String(base.email)}` } }),
        ),
      );
      expectNoServerError(answers);
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
      expect(
        answers.filter((answer) => answer.status !== 201).map((answer) => answer.body?.error?.code),
      ).toEqual(Array.from({ length: 39 }, () => 'USERNAME_TAKEN'));
      // The winner is whole on both instances: it logs in on each and reads its profile.
      const winner = answers.find((answer) => answer.status === 201)!.body;
      for (const send of sends) {
        const tokens = await login(send, winner);
        const me = await send('GET', '/me', { token: tokens.accessToken });
        expect(me.status, me.text).toBe(200);
        expect(me.body.username).toBe(base.username);
      }
    }, 240_000);

    it('20 redemptions of one pairing token across both instances: exactly one new device', async () => {
      const sendA = sender(a.baseUrl);
      const sendB = sender(b.baseUrl);
      const user = await registerUser(sendA);
      const tokens = await login(sendA, user);
      const pairing = await sendA('POST', '/pairing-tokens', { token: tokens.accessToken, body: {} });
      expect(pairing.status, pairing.text).toBe(201);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? sendA : sendB)('POST', '/devices', {
            body: {
              pairing_token: pairing.body.token,
              username: user.username,
              password: PASSWORD,
              key_algorithm: 'ed25519',
              device_label: `racer ${i}`,
            },
          }),
        ),
      );
      expectNoServerError(answers);
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
      const devices = await sendB('GET', '/devices', { token: tokens.accessToken });
      expect(devices.status, devices.text).toBe(200);
      const paired = answers.find((answer) => answer.status === 201)!.body;
      expect(devices.body.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(
        [user.deviceId, paired.deviceId].sort(),
      );
    }, 240_000);

    it('a logout on one instance: the other refuses the token', async () => {
      const sendA = sender(a.baseUrl);
      const sendB = sender(b.baseUrl);
      const user = await registerUser(sendA);
      const tokens = await login(sendA, user);
      expect((await sendB('GET', '/me', { token: tokens.accessToken })).status).toBe(200);
      const logout = await sendA('POST', '/logout', { token: tokens.accessToken });
      expect(logout.status, logout.text).toBe(204);
      let last: HttpAnswer | undefined;
      await eventually(
        async () => {
          last = await sendB('GET', '/me', { token: tokens.accessToken });
          return last.status === 401;
        },
        REVOCATION_BOUND_MS,
        'the other instance refusing the logged-out token',
      );
      expect(last?.body.error.code).toBe('TOKEN_REVOKED');
      // And it stays refused on both.
      expect((await sendA('GET', '/me', { token: tokens.accessToken })).status).toBe(401);
    }, 120_000);

    it('the engine frozen (SIGSTOP): 503 + Retry-After within the store deadline on both; thawed (SIGCONT): both recover', async () => {
      const sends = [sender(a.baseUrl), sender(b.baseUrl)];
      const user = await registerUser(sends[0]!);
      const tokens = await login(sends[0]!, user);
      const pid = dynamo!.pid!;
      process.kill(pid, 'SIGSTOP');
      try {
        for (const api of [a, b]) {
          const answers = await Promise.all([
            boundedFetch(api, 'GET', '/me', { token: tokens.accessToken }),
            boundedFetch(api, 'POST', '/register', { body: newUser() }),
          ]);
          for (const answer of answers) expectUnavailable(answer);
        }
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      for (const send of sends) {
        await eventually(
          async () => (await send('GET', '/me', { token: tokens.accessToken })).status === 200,
          60_000,
          'recovery after SIGCONT',
        );
      }
      // Nothing half-written: the account reads back whole on both.
      const me = await sends[1]!('GET', '/me', { token: tokens.accessToken });
      expect(me.body.username).toBe(user.username);
    }, 180_000);

    it('the engine stopped: 503 + Retry-After; restarted on the same port and data: both recover without a restart', async () => {
      const sends = [sender(a.baseUrl), sender(b.baseUrl)];
      const user = await registerUser(sends[1]!);
      const tokens = await login(sends[1]!, user);
      await dynamo!.stop();
      for (const send of sends) expectUnavailable(await send('GET', '/me', { token: tokens.accessToken }));
      dynamo = await startDynamoDbLocal({ dataDir: dynamoDir, port: dynamoPort });
      for (const send of sends) {
        await eventually(
          async () => (await send('GET', '/me', { token: tokens.accessToken })).status === 200,
          60_000,
          'recovery after the engine restarted',
        );
      }
      const fresh = await registerUser(sends[0]!);
      expect((await login(sends[1]!, fresh)).accessToken).toEqual(expect.any(String));
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
    }, 240_000);
  },
);
