/**
 * Attack: user enumeration by timing through store round trips. A wrong password for a real
 * account must cost exactly the store work of an unknown identifier (the Argon2id work is already
 * equal, see user-enumeration.test.ts). Checked deterministically, without timing: every port
 * call is counted by a wrapper around the real dynalite stores, and every DynamoDB request by a
 * counting HTTP proxy in front of dynalite (so round trips hidden inside an adapter count too).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import type { Stores } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Crypto,
  createCrypto,
  createHarness,
  createTestClock,
  expectAuthError,
  type Harness,
  loginWithSignature,
  PASSWORD,
  registerWithServerKey,
  signedInUser,
} from './support/auth-harness.js';

/** Counts what crosses the store boundary while `on`. */
interface Tally {
  on: boolean;
  ports: string[];
  dynamo: string[];
}
const tally: Tally = { on: false, ports: [], dynamo: [] };

function countingStores(stores: Stores): Stores {
  const wrapped: Record<string, unknown> = { close: () => stores.close() };
  for (const [name, store] of Object.entries(stores)) {
    // No access cache here: its change-epoch reads run in the background on a timer, not as part of
    // the request being compared.
    if (name === 'close' || name === 'authStateVersion') continue;
    wrapped[name] = new Proxy(store as object, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (tally.on) tally.ports.push(`${name}.${String(property)}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
  return wrapped as unknown as Stores;
}

/** An HTTP proxy to dynalite that records each request's DynamoDB operation. */
async function countingProxy(upstream: string): Promise<Server> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    if (tally.on)
      tally.dynamo.push(
        String(req.headers['x-amz-target'] ?? '?')
          .split('.')
          .pop()!,
      );
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

let dynalite: LocalService;
let s3: LocalService;
let proxy: Server;
let stores: DynamoStores;
let crypto: Crypto;
let outboxDir: string;

beforeAll(async () => {
  dynalite = await startDynalite();
  s3 = await startS3rver();
  proxy = await countingProxy(dynalite.endpoint);
  outboxDir = mkdtempSync(join(tmpdir(), 'city-core-enum-'));
  const env = {
    CITY_TABLE_PREFIX: `e${randomBytes(4).toString('hex')}_`,
    CITY_S3_ENDPOINT: s3.endpoint,
    CITY_S3_BUCKET: `enum-${randomBytes(4).toString('hex')}`,
    CITY_OUTBOX_DIR: outboxDir,
  };
  await createTables(loadStorageConfigFromEnv({ ...env, CITY_DYNAMODB_ENDPOINT: dynalite.endpoint }));
  const config = loadStorageConfigFromEnv({
    ...env,
    CITY_DYNAMODB_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
  });
  await ensureBucket(config);
  stores = createDynamoStores(config);
  crypto = await createCrypto();
});

afterAll(async () => {
  await stores?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await s3?.stop();
  await dynalite?.stop();
  rmSync(outboxDir, { recursive: true, force: true });
});

/** Runs `attempt` with counting on and returns what it did to the stores. */
async function storeWork(attempt: () => Promise<unknown>): Promise<{ ports: string[]; dynamo: string[] }> {
  tally.ports = [];
  tally.dynamo = [];
  tally.on = true;
  try {
    await attempt();
  } finally {
    tally.on = false;
  }
  return { ports: [...tally.ports].sort(), dynamo: [...tally.dynamo].sort() };
}

function harness(): Harness {
  return createHarness(countingStores(stores), crypto, {}, createTestClock());
}

let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

describe('user enumeration by timing: equal store work (dynalite)', () => {
  it('login: a wrong password for a real username costs what an unknown username costs', async () => {
    const h = harness();
    const reg = await registerWithServerKey(h.auth);
    const attempt = (identifier: string) => () =>
      expectAuthError(
        loginWithSignature(
          h.auth,
          {
            identifier,
            password: 'not the password at all',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          },
          { ip: freshIp() },
        ),
        'INVALID_CREDENTIALS',
      );
    const known = await storeWork(attempt(reg.username));
    const unknown = await storeWork(attempt(`nobody.${randomBytes(4).toString('hex')}`));
    expect(known.ports.length).toBeGreaterThan(0);
    expect(unknown.ports).toEqual(known.ports);
    expect(unknown.dynamo).toEqual(known.dynamo);
    expect(unknown.dynamo.length).toBe(known.dynamo.length);
  });

  it('login: the same for a real and an unknown email address, and a real and an unknown uuid', async () => {
    const h = harness();
    const reg = await registerWithServerKey(h.auth);
    const email = (
      await h.auth.me(
        await h.auth.authenticate(
          (
            await loginWithSignature(h.auth, {
              identifier: reg.uuid,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            })
          ).accessToken,
        ),
      )
    ).email;
    const attempt = (identifier: string) => () =>
      expectAuthError(
        loginWithSignature(
          h.auth,
          {
            identifier,
            password: 'not the password at all',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          },
          { ip: freshIp() },
        ),
        'INVALID_CREDENTIALS',
      );
    const knownEmail = await storeWork(attempt(email));
    const unknownEmail = await storeWork(attempt(`nobody.${randomBytes(4).toString('hex')}@example.com`));
    expect(unknownEmail).toEqual(knownEmail);
    const knownUuid = await storeWork(attempt(reg.uuid));
    const unknownUuid = await storeWork(attempt('00000000-0000-4000-8000-000000000000'));
    expect(unknownUuid).toEqual(knownUuid);
  });

  it('pairing: a wrong password for a real username costs what an unknown username costs', async () => {
    const h = harness();
    const { reg, principal } = await signedInUser(h.auth);
    const { token } = await h.auth.requestPairingToken(principal);
    const attempt = (username: string, password: string) => () =>
      expectAuthError(
        h.auth.registerDeviceWithPairingToken(
          { pairing_token: token, username, password, key_algorithm: 'ed25519' },
          { ip: freshIp() },
        ),
        'INVALID_CREDENTIALS',
      );
    const known = await storeWork(attempt(reg.username, `${PASSWORD} but wrong`));
    const unknown = await storeWork(attempt(`nobody.${randomBytes(4).toString('hex')}`, PASSWORD));
    expect(unknown).toEqual(known);
  });

  it('counter keys are keyed hashes: neither the identifier, the address nor their bare SHA-256 is in a key', async () => {
    const reg = await registerWithServerKey(harness().auth);
    const identifier = `nobody.${randomBytes(4).toString('hex')}`;
    const seen: string[] = [];
    const counters = new Proxy(stores.counters, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'increment' || typeof value !== 'function') return value;
        return (key: string, ...rest: unknown[]) => {
          seen.push(key);
          return (value as (...a: unknown[]) => unknown).apply(target, [key, ...rest]);
        };
      },
    });
    const spied = createHarness({ ...stores, counters } as Stores, crypto, {}, createTestClock());
    const ip = '203.0.113.77';
    const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
    for (const name of [identifier, reg.username, reg.uuid]) {
      await expectAuthError(
        loginWithSignature(
          spied.auth,
          {
            identifier: name,
            password: 'not the password at all',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          },
          { ip },
        ),
        'INVALID_CREDENTIALS',
      );
    }
    expect(seen.filter((key) => key.startsWith('auth-fail:ip:'))).toHaveLength(3);
    expect(seen.filter((key) => key.startsWith('auth-fail:alert:'))).toHaveLength(3);
    for (const key of seen) {
      for (const secret of [identifier, reg.username, reg.uuid, ip]) {
        expect(key).not.toContain(secret);
        expect(key).not.toContain(sha256(secret));
        expect(key).not.toContain(
          Buffer.from(createHash('sha256').update(secret).digest()).toString('base64url'),
        );
      }
    }
  });
});
