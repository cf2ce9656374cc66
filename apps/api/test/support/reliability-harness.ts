/**
 * Harness of the reliability suite: a real API (buildApp) over a real registration-core, either
 * embedded (SQLite `city.db` in one temp data directory) or over shared local dynalite + s3rver so
 * several API instances use the same stores and keys, with a clock the test moves by hand.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthRuntime, openAuthFromConfig, openEmbeddedAuth } from '@city/auth-runtime';
import { signChallenge } from '@city/client-cert';
import { type DynamoStoresConfig, loadStorageConfigFromEnv } from '@city/db-integration';
import { type LocalService, startDynalite, startS3rver } from '@city/dev-engines';
import type { KeySet } from '@city/jwt';
import type { Clock } from '@city/ports';
import type { AuthConfigOverrides } from '@city/registration-core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/build-app.js';
import { type ApiConfig, loadConfig } from '../../src/config.js';

/** A clock that follows the wall clock plus an offset the test moves, or stays frozen. */
export interface ControlledClock extends Clock {
  advance(seconds: number): void;
  freeze(): void;
}

/** Creates a {@link ControlledClock} running from the wall clock. */
export function controlledClock(): ControlledClock {
  let offset = 0;
  let frozenAt: number | undefined;
  return {
    now: () => frozenAt ?? Date.now() + offset,
    advance: (seconds) => {
      if (frozenAt !== undefined) frozenAt += seconds * 1000;
      else offset += seconds * 1000;
    },
    freeze: () => {
      frozenAt ??= Date.now() + offset;
    },
  };
}

/** Issuer and audience of every reliability API (tokens are crafted against them). */
export const ISSUER = 'https://auth.reliability.city';
export const AUDIENCE = 'city-reliability';

/** Core config every instance starts from (no rate limits; the tests count their own requests). */
export function coreConfig(overrides: AuthConfigOverrides = {}): AuthConfigOverrides {
  return { issuer: ISSUER, audience: AUDIENCE, ...overrides };
}

/** API config: defaults from an empty environment, rate limits off, body limit 64 KiB. */
export function apiConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    ...loadConfig({}),
    rateLimitPerMinute: 0,
    credentialRateLimitPerMinute: 0,
    logLevel: 'silent',
    ...overrides,
  };
}

/** One API over one auth runtime. */
export interface ApiInstance {
  readonly app: FastifyInstance;
  readonly runtime: AuthRuntime;
  /** Base URL once {@link listen} was called. */
  baseUrl: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

async function instance(runtime: AuthRuntime, config: ApiConfig): Promise<ApiInstance> {
  const app = await buildApp({ auth: runtime.auth, config, logger: false });
  const api: ApiInstance = {
    app,
    runtime,
    baseUrl: '',
    listen: async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      api.baseUrl = `http://127.0.0.1:${address.port}`;
      return api.baseUrl;
    },
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
  return api;
}

/** Options of {@link openEmbeddedApi}. */
export interface EmbeddedApiOptions {
  readonly core?: AuthConfigOverrides;
  readonly api?: Partial<ApiConfig>;
  readonly clock?: Clock;
}

/** An embedded API under a fresh temp directory (removed on close). */
export async function openEmbeddedApi(
  options: EmbeddedApiOptions = {},
): Promise<ApiInstance & { dataDir: string; keys(): KeySet }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'city-reliability-'));
  const runtime = await openEmbeddedAuth({
    dataDir,
    config: coreConfig(options.core),
    jwtAlgorithm: 'EdDSA',
    caAlgorithm: 'ml-dsa-65',
    clock: options.clock,
  });
  const api = await instance(runtime, apiConfig(options.api));
  const close = api.close;
  return Object.assign(api, {
    dataDir,
    // The signing keys are sealed at rest; the runtime holds them in memory.
    keys: () => runtime.jwt.keys,
    close: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** dynalite + s3rver started by the test, shared by any number of API instances. */
export interface SharedStorage {
  readonly dir: string;
  readonly secretsDir: string;
  dynamo: LocalService;
  readonly s3: LocalService;
  readonly dynamoPort: number;
  /** Storage config of the adapters; `env` adds/overrides storage variables. */
  storage(env?: Record<string, string>): DynamoStoresConfig;
  stopDynamo(): Promise<void>;
  /** Restarts dynalite on the same port and LevelDB directory. */
  restartDynamo(): Promise<void>;
  /** The JWT signing keys of the instances (known once one was opened). */
  keys(): KeySet;
  /** Records the signing keys of an instance opened on this storage. */
  rememberKeys(keys: KeySet): void;
  close(): Promise<void>;
}

/**
 * Starts dynalite (persisted) and s3rver under a temp directory, in worker threads as the embedded
 * runtime runs them (`inWorker: false` keeps them on the test's own event loop).
 */
export async function startSharedStorage(options: { inWorker?: boolean } = {}): Promise<SharedStorage> {
  const inWorker = options.inWorker ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'city-reliability-shared-'));
  const dynamoDir = join(dir, 'dynamodb');
  const first = await startDynalite({ dataDir: dynamoDir, inWorker });
  const dynamoPort = Number(new URL(first.endpoint).port);
  const s3 = await startS3rver({ dataDir: join(dir, 's3'), inWorker });
  let signingKeys: KeySet | undefined;
  const shared: SharedStorage = {
    dir,
    secretsDir: join(dir, 'secrets'),
    dynamo: first,
    s3,
    dynamoPort,
    storage: (env = {}) =>
      loadStorageConfigFromEnv({
        CITY_DYNAMODB_ENDPOINT: first.endpoint,
        CITY_S3_ENDPOINT: s3.endpoint,
        CITY_OUTBOX_DIR: join(dir, 'outbox'),
        ...env,
      }),
    stopDynamo: () => shared.dynamo.stop(),
    restartDynamo: async () => {
      shared.dynamo = await startDynalite({ dataDir: dynamoDir, port: dynamoPort, inWorker });
    },
    rememberKeys: (keys) => {
      signingKeys ??= keys;
    },
    keys: () => {
      if (signingKeys === undefined) throw new Error('open an API instance on the shared storage first');
      return signingKeys;
    },
    close: async () => {
      await shared.dynamo.stop();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return shared;
}

/** Options of {@link openSharedApi}. */
export interface SharedApiOptions {
  readonly core?: AuthConfigOverrides;
  readonly api?: Partial<ApiConfig>;
  readonly clock?: Clock;
  /** Extra storage variables (SNS topic, outbox retry...). */
  readonly storageEnv?: Record<string, string>;
}

/** An API instance over the shared storage (first call provisions tables, bucket and secrets). */
export async function openSharedApi(
  shared: SharedStorage,
  options: SharedApiOptions = {},
): Promise<ApiInstance> {
  const runtime = await openAuthFromConfig({
    mode: 'aws',
    storage: shared.storage(options.storageEnv),
    provision: true,
    secretsDir: shared.secretsDir,
    config: coreConfig(options.core),
    jwtAlgorithm: 'EdDSA',
    clock: options.clock,
  });
  shared.rememberKeys(runtime.jwt.keys);
  return instance(runtime, apiConfig(options.api));
}

// ---------------------------------------------------------------- HTTP helpers

/** A response as the tests look at it. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in tests
  readonly body: any;
  readonly text: string;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `app.inject` with a JSON body (or raw payload) and the parsed answer. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  url: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: parse(response.body),
    text: response.body,
  };
}

/** `fetch` against a listening API with the parsed answer. */
export async function fetchJson(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parse(text), text };
}

export const PASSWORD = 'violet tractor umbrella 42';

let counter = 0;

/** A unique, valid registration body (server-generated Ed25519 key: fast). */
export function newUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
  return {
    username: `rel.${tag}`,
    email: `rel.${tag}@example.com`,
    password: PASSWORD,
    name: '山田 太郎',
    birth_date: '1990-04-01',
    address: '東京都千代田区千代田1-1',
    phone: '090-1234-5678',
    initial_harmony_token: 100,
    key_algorithm: 'ed25519',
    ...overrides,
  };
}

/** Someone registered through the API, with their first device's key. */
export interface RegisteredUser {
  readonly uuid: string;
  readonly username: string;
  readonly deviceId: string;
  readonly privateKeyPem: string;
  readonly fingerprint: string;
}

type Send = (
  method: string,
  path: string,
  options?: { body?: unknown; token?: string },
) => Promise<HttpAnswer>;

/** Request function over `app.inject` or over a listening base URL. */
export function sender(target: FastifyInstance | string): Send {
  return typeof target === 'string'
    ? (method, path, options) => fetchJson(target, method, path, options)
    : (method, path, options) =>
        call(target, method as 'GET' | 'POST' | 'PUT' | 'DELETE', path, options ?? {});
}

/** POST /register and checks 201. */
export async function registerUser(
  send: Send,
  overrides: Record<string, unknown> = {},
): Promise<RegisteredUser> {
  const body = newUser(overrides);
  const answer = await send('POST', '/register', { body });
  if (answer.status !== 201) throw new Error(`register answered ${answer.status}: ${answer.text}`);
  return {
    uuid: answer.body.uuid,
    username: answer.body.username,
    deviceId: answer.body.deviceId,
    privateKeyPem: answer.body.privateKeyPem,
    fingerprint: answer.body.fingerprint,
  };
}

/** Challenge → signature → POST /login; returns the raw answer. */
export async function loginAnswer(
  send: Send,
  user: { identifier: string; deviceId: string; privateKeyPem: string; password?: string },
): Promise<HttpAnswer> {
  const challenge = await send('POST', '/login/challenge', { body: {} });
  if (challenge.status !== 200) throw new Error(`challenge answered ${challenge.status}: ${challenge.text}`);
  return send('POST', '/login', {
    body: {
      identifier: user.identifier,
      password: user.password ?? PASSWORD,
      challenge_id: challenge.body.challengeId,
      signature: signChallenge(user.privateKeyPem, challenge.body.challenge),
      device_id: user.deviceId,
    },
  });
}

/** A refresh body proving possession of the device key: a fresh refresh challenge signed with it. */
export async function refreshBody(
  send: Send,
  refreshToken: string,
  privateKeyPem: string,
): Promise<Record<string, string>> {
  const challenge = await send('POST', '/token/refresh/challenge', { body: {} });
  if (challenge.status !== 200)
    throw new Error(`refresh challenge answered ${challenge.status}: ${challenge.text}`);
  return {
    refresh_token: refreshToken,
    challenge_id: challenge.body.challengeId,
    signature: signChallenge(privateKeyPem, challenge.body.challenge),
  };
}

/** A token pair as the API returns it. */
export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly sessionId: string;
  readonly deviceId: string;
}

/** Logs `user` in on their first device and checks 200. */
export async function login(send: Send, user: RegisteredUser): Promise<Tokens> {
  const answer = await loginAnswer(send, {
    identifier: user.uuid,
    deviceId: user.deviceId,
    privateKeyPem: user.privateKeyPem,
  });
  if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${answer.text}`);
  return answer.body as Tokens;
}

/** Reads the JSON-lines outbox files under `dir` (pending + delivered). */
export function readOutbox(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
