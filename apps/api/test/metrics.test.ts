/**
 * `GET /metrics` (CITY_METRICS=on): Prometheus text exposition, parsed here by a reader written
 * against the format's grammar (name, labels, value per sample line), not by prom-client. Requests
 * counted by route pattern and status with a latency histogram, logins by result and answered code,
 * lockouts, refresh-token reuse, store errors, the outbox backlog and build info. Off by default.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiMetrics } from '../src/api-metrics.js';
import { API_VERSION } from '../src/api-version.js';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from '../src/open-auth-runtime.js';
import { bearer, json, login, registerAndLogin } from './helpers/test-app.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads the sample lines of the text format: `name{label="value",...} number`. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

let dataDir: string;
let runtime: AuthRuntime;
let app: FastifyInstance;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'city-api-metrics-'));
  const config = loadConfig({
    CITY_DATA_DIR: dataDir,
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
    CITY_METRICS: 'on',
  });
  runtime = await openAuthRuntime(config);
  await mkdir(join(dataDir, 'outbox'), { recursive: true });
  const metrics = createApiMetrics({
    version: API_VERSION,
    outboxFile: join(dataDir, 'outbox', 'outbox.jsonl'),
  });
  app = await buildApp({ ...appOptionsOf(runtime), config, logger: false, metrics });
});
afterAll(async () => {
  await app.close();
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function scrape() {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(response.headers['cache-control']).toBe('no-store');
  return parseExposition(response.body);
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and status, with a latency histogram', async () => {
    const user = await registerAndLogin(app);
    await app.inject({ method: 'GET', url: '/me', headers: bearer(user.accessToken) });
    await app.inject({ method: 'GET', url: '/me' });
    await app.inject({
      method: 'DELETE',
      url: `/devices/${'0'.repeat(8)}-0000-4000-8000-000000000000`,
      headers: bearer(user.accessToken),
    });
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    const { samples, types } = await scrape();
    expect(types.get('city_http_requests_total')).toBe('counter');
    expect(types.get('city_http_request_duration_seconds')).toBe('histogram');
    expect(value(samples, 'city_http_requests_total', { method: 'GET', route: '/me', status: '200' })).toBe(
      1,
    );
    expect(value(samples, 'city_http_requests_total', { method: 'GET', route: '/me', status: '401' })).toBe(
      1,
    );
    // The pattern, never the raw URL: ids and unknown paths do not create label values.
    expect(value(samples, 'city_http_requests_total', { route: '/devices/:id', status: '404' })).toBe(1);
    expect(value(samples, 'city_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(samples.some((s) => s.labels.route?.includes('0000'))).toBe(false);
    expect(
      value(samples, 'city_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/me',
        status: '200',
      }),
    ).toBe(1);
    expect(
      value(samples, 'city_http_request_duration_seconds_bucket', {
        route: '/me',
        status: '200',
        le: '+Inf',
      }),
    ).toBe(1);
    expect(value(samples, 'city_build_info', { version: API_VERSION })).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
  });

  it('counts logins ok and failed by the code answered, never by the precise reason', async () => {
    const before = (await scrape()).samples;
    const user = await registerAndLogin(app);
    const wrong = {
      identifier: user.uuid,
      password: 'wrong password 123',
      deviceId: user.deviceId,
      privateKeyPem: user.privateKeyPem,
    };
    await expect(login(app, wrong)).rejects.toThrow(/INVALID_CREDENTIALS/);
    await expect(login(app, { ...wrong, identifier: 'nobody-at-all' })).rejects.toThrow(
      /INVALID_CREDENTIALS/,
    );
    const { samples } = await scrape();
    const delta = (labels: Record<string, string>) =>
      value(samples, 'city_logins_total', labels) - value(before, 'city_logins_total', labels);
    expect(delta({ result: 'ok' })).toBe(1);
    expect(delta({ result: 'failed', reason: 'INVALID_CREDENTIALS' })).toBe(2);
    const reasons = new Set(
      samples.filter((s) => s.name === 'city_logins_total').map((s) => s.labels.reason),
    );
    expect([...reasons].every((r) => r === '' || /^[A-Z_]+$/.test(r ?? ''))).toBe(true);
  });

  it('reports the outbox backlog at each scrape', async () => {
    const file = join(dataDir, 'outbox', 'outbox.jsonl');
    await writeFile(file, '{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(value((await scrape()).samples, 'city_notification_outbox_backlog')).toBe(3);
    // The previous generation (after a rotation at the outbox's size bound) is backlog too.
    const previous = join(dataDir, 'outbox', 'outbox.1.jsonl');
    await writeFile(previous, '{"d":4}\n{"e":5}\n');
    expect(value((await scrape()).samples, 'city_notification_outbox_backlog')).toBe(5);
    await writeFile(file, '');
    await writeFile(previous, '');
    expect(value((await scrape()).samples, 'city_notification_outbox_backlog')).toBe(0);
  });

  it('is not served when CITY_METRICS is off (the default)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'city-api-nometrics-'));
    const config = loadConfig({ CITY_DATA_DIR: dir });
    expect(config.metrics).toEqual({ mode: 'off' });
    const offRuntime = await openAuthRuntime(config);
    const offApp = await buildApp({ ...appOptionsOf(offRuntime), config, logger: false });
    try {
      const response = await offApp.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(404);
      expect(json(response)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    } finally {
      await offApp.close();
      await offRuntime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createApiMetrics', () => {
  it('counts lockouts, refresh-token reuse and store errors from the codes answered', async () => {
    const metrics = createApiMetrics({ version: '9.9.9' });
    metrics.observe({
      method: 'POST',
      route: '/login',
      status: 429,
      seconds: 0.01,
      errorCode: 'ACCOUNT_LOCKED',
    });
    metrics.observe({
      method: 'POST',
      route: '/token/refresh',
      status: 401,
      seconds: 0.01,
      errorCode: 'REFRESH_TOKEN_REUSED',
    });
    metrics.observe({
      method: 'GET',
      route: '/ready',
      status: 503,
      seconds: 0.01,
      errorCode: 'STORE_UNAVAILABLE',
    });
    const { samples } = parseExposition((await metrics.render()).body);
    expect(value(samples, 'city_lockouts_total', { route: '/login' })).toBe(1);
    expect(value(samples, 'city_logins_total', { result: 'failed', reason: 'ACCOUNT_LOCKED' })).toBe(1);
    expect(value(samples, 'city_refresh_token_reuse_total')).toBe(1);
    expect(value(samples, 'city_store_errors_total', { route: '/ready' })).toBe(1);
    expect(value(samples, 'city_build_info', { version: '9.9.9' })).toBe(1);
    expect(samples.some((s) => s.name === 'city_notification_outbox_backlog')).toBe(false);
  });
});

describe('CITY_METRICS', () => {
  it.each([
    [{}, { mode: 'off' }],
    [{ CITY_METRICS: 'off' }, { mode: 'off' }],
    [{ CITY_METRICS: 'ON' }, { mode: 'on' }],
    [{ CITY_METRICS: '9464' }, { mode: 'port', host: '127.0.0.1', port: 9464 }],
    [
      { CITY_METRICS: '9464', CITY_METRICS_HOST: '10.0.0.5' },
      { mode: 'port', host: '10.0.0.5', port: 9464 },
    ],
  ])('%j → %j', (env, expected) => {
    expect(loadConfig({ CITY_DATA_DIR: dataDir, ...env }).metrics).toEqual(expected);
  });
  it.each([
    [{ CITY_METRICS: 'yes' }, 'CITY_METRICS'],
    [{ CITY_METRICS: '0' }, 'CITY_METRICS'],
    [{ CITY_METRICS: '70000' }, 'CITY_METRICS'],
    [{ CITY_METRICS: '3000', PORT: '3000' }, 'CITY_METRICS'],
    [{ CITY_METRICS: '9464', CITY_METRICS_HOST: 'bad host!' }, 'CITY_METRICS_HOST'],
  ])('%j is refused naming %s', (env, variable) => {
    expect(() => loadConfig({ CITY_DATA_DIR: dataDir, ...env })).toThrow(new RegExp(`^${variable}: `));
  });
});
