/**
 * API mode: the same commands against the real HTTP API (apps/api `buildApp` over the embedded
 * runtime, listening on 127.0.0.1), compared with direct mode for identical output; plus the
 * transport's failure mapping (refused connection → exit 3, error bodies → exit 1 with fields).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp, loadConfig, openAuthRuntime } from '@city/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

type App = Awaited<ReturnType<typeof buildApp>>;
type Runtime = Awaited<ReturnType<typeof openAuthRuntime>>;

let api: Awaited<ReturnType<typeof makeWorkspace>>;
let direct: Awaited<ReturnType<typeof makeWorkspace>>;
let app: App;
let runtime: Runtime;
let url: string;

beforeAll(async () => {
  api = await makeWorkspace('api');
  direct = await makeWorkspace('api-direct');
  const config = loadConfig({
    CITY_DATA_DIR: join(api.root, 'server-data'),
    PORT: '0',
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
    CITY_LOG_LEVEL: 'silent',
  });
  runtime = await openAuthRuntime(config);
  app = await buildApp({ auth: runtime.auth, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await api?.cleanup();
  await direct?.cleanup();
});

/** Runs the same command in API mode and in direct mode. */
async function both(args: string[], input?: string) {
  const [overApi, inProcess] = await Promise.all([
    runCity([...args, '--api', url], { env: api.env, ...(input === undefined ? {} : { input }) }),
    runCity(args, { env: direct.env, ...(input === undefined ? {} : { input }) }),
  ]);
  return { overApi, inProcess };
}

/** Replaces ids, hex, tokens and times so outputs of two deployments can be compared. */
function shape(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/token=[\w-]+/g, 'token=<token>')
    .replace(/"token": "[\w-]+"/g, '"token": "<token>"')
    .replace(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/g, '<recovery-code>')
    .replace(/\b[0-9a-f]{16,64}\b/g, '<hex>');
}

describe('API mode gives the same results as direct mode', () => {
  it('register, login, refresh, whoami, pair, devices, revoke, logout', async () => {
    const register = await both(
      [
        'register',
        '--username',
        'apiuser',
        '--email',
        'apiuser@example.com',
        '--name',
        'Api User',
        '--password-stdin',
        '--profile',
        'u',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(register.overApi.code, register.overApi.stderr).toBe(0);
    expect(register.inProcess.code, register.inProcess.stderr).toBe(0);
    expect(shape(register.overApi.stdout.replace(api.profileDir, '<dir>'))).toBe(
      shape(register.inProcess.stdout.replace(direct.profileDir, '<dir>')),
    );

    const login = await both(['login', '--password-stdin', '--profile', 'u', '--json'], `${PASSWORD}\n`);
    expect(login.overApi.code, login.overApi.stderr).toBe(0);
    expect(shape(login.overApi.stdout)).toBe(shape(login.inProcess.stdout));

    // refresh proves possession of device-key.pem in both modes; the new pair replaces the old one.
    const tokensBefore = JSON.parse(await readFile(join(api.profileDir, 'u', 'tokens.json'), 'utf8'));
    const refresh = await both(['refresh', '--profile', 'u', '--json']);
    expect(refresh.overApi.code, refresh.overApi.stderr).toBe(0);
    expect(refresh.inProcess.code, refresh.inProcess.stderr).toBe(0);
    expect(shape(refresh.overApi.stdout)).toBe(shape(refresh.inProcess.stdout));
    const tokensAfter = JSON.parse(await readFile(join(api.profileDir, 'u', 'tokens.json'), 'utf8'));
    expect(tokensAfter.refreshToken).not.toBe(tokensBefore.refreshToken);
    expect(tokensAfter.sessionId).toBe(tokensBefore.sessionId);
    // The old refresh token without the device key's proof is refused by the API.
    const bare = await fetch(`${url}/token/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokensAfter.refreshToken }),
    });
    expect(bare.status).toBe(422);
    expect(((await bare.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');

    for (const args of [
      ['whoami', '--profile', 'u', '--json'],
      ['whoami', '--profile', 'u'],
      ['pair', 'request', '--profile', 'u', '--json'],
      ['devices', 'list', '--profile', 'u', '--json'],
      ['devices', 'list', '--profile', 'u'],
    ]) {
      const run = await both(args);
      expect(run.overApi.code, `${args.join(' ')}: ${run.overApi.stderr}`).toBe(0);
      expect(shape(run.overApi.stdout), args.join(' ')).toBe(shape(run.inProcess.stdout));
    }

    const pairing = (
      await runCity(['pair', 'request', '--profile', 'u', '--json', '--api', url], { env: api.env })
    ).json<{
      qrPayload: string;
    }>();
    const accept = await runCity(
      [
        'pair',
        'accept',
        pairing.qrPayload,
        '--username',
        'apiuser',
        '--password-stdin',
        '--profile',
        'u2',
        '--json',
        '--api',
        url,
      ],
      { env: api.env, input: `${PASSWORD}\n` },
    );
    expect(accept.code, accept.stderr).toBe(0);
    const second = accept.json<{ deviceId: string }>().deviceId;
    const revoke = await runCity(['devices', 'revoke', second, '--profile', 'u', '--json', '--api', url], {
      env: api.env,
    });
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.json()).toMatchObject({ deviceId: second, status: 'revoked' });

    const logout = await both(['logout', '--profile', 'u', '--json']);
    expect(logout.overApi.code, logout.overApi.stderr).toBe(0);
    expect(shape(logout.overApi.stdout)).toBe(shape(logout.inProcess.stdout));
  });

  it('user errors carry the same code and exit 1 in both modes', async () => {
    const taken = await both(
      [
        'register',
        '--username',
        'apiuser',
        '--email',
        'x@example.com',
        '--password-stdin',
        '--profile',
        'taken',
      ],
      `${PASSWORD}\n`,
    );
    expect(taken.overApi.code).toBe(1);
    expect(taken.inProcess.code).toBe(1);
    expect(taken.overApi.stderr.split(':')[0]).toBe('error USERNAME_TAKEN');
    expect(taken.inProcess.stderr.split(':')[0]).toBe('error USERNAME_TAKEN');

    const invalid = await both(
      ['register', '--username', 'new-user', '--email', 'nope', '--password-stdin', '--profile', 'invalid'],
      `${PASSWORD}\n`,
    );
    for (const run of [invalid.overApi, invalid.inProcess]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error VALIDATION_FAILED: .*\n {2}email: INVALID_FORMAT /);
    }

    const wrong = await both(
      ['login', '--password-stdin', '--profile', 'u', '--json'],
      'Not-The-Password-1\n',
    );
    expect(wrong.overApi.code).toBe(1);
    expect(wrong.overApi.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
    expect(wrong.inProcess.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
  });
});

describe('API transport failures', () => {
  let server: Server | undefined;
  afterAll(() => {
    server?.close();
  });

  it('a refused connection is SERVICE_UNAVAILABLE, exit 3', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = await runCity(
      [
        'register',
        '--username',
        'x-user',
        '--email',
        'x@example.com',
        '--password-stdin',
        '--profile',
        'refused',
        '--api',
        `http://127.0.0.1:${port}`,
      ],
      { env: api.env, input: `${PASSWORD}\n` },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^error SERVICE_UNAVAILABLE: cannot reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/,
    );
  });

  it('a 503 STORE_UNAVAILABLE body is exit 3; a non-JSON 502 is SERVICE_UNAVAILABLE; --api must be http(s)', async () => {
    let status = 503;
    server = createServer((_req, res) => {
      if (status === 503) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
        res.end(
          JSON.stringify({ error: { code: 'STORE_UNAVAILABLE', message: 'the data store is unavailable' } }),
        );
      } else {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
      }
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const args = [
      'register',
      '--username',
      'x-user',
      '--email',
      'x@example.com',
      '--password-stdin',
      '--profile',
      'down',
      '--api',
      base,
    ];
    const unavailable = await runCity(args, { env: api.env, input: `${PASSWORD}\n` });
    expect(unavailable.code).toBe(3);
    expect(unavailable.stderr).toBe(
      'error STORE_UNAVAILABLE: the data store is unavailable\n  retry after 5 s\n',
    );
    status = 502;
    const gateway = await runCity(args, { env: api.env, input: `${PASSWORD}\n` });
    expect(gateway.code).toBe(3);
    expect(gateway.stderr).toMatch(
      /^error SERVICE_UNAVAILABLE: the API answered POST \/register with HTTP 502/,
    );
    const bad = await runCity(['whoami', '--api', 'ftp://example.com'], { env: api.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error USAGE_ERROR: --api expects an http\(s\) URL/);
  });
});
