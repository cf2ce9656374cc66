/**
 * How the `city` process ends when the world gets in the way, run as real child processes: an HTTP
 * 429 (exit 3 with the retry time), an unknown host or a TLS mismatch (exit 2, a configuration
 * error), a refused connection (exit 3), a reader that closes stdout early (no stack trace), and
 * Ctrl-C at a prompt (exit 130, no error line).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';
import { hasTmux, shellQuote, TmuxSession } from './helpers/tmux.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const servers: (Server | TlsServer)[] = [];

beforeAll(async () => {
  ws = await makeWorkspace('exit');
});
afterAll(async () => {
  for (const server of servers) server.close();
  await ws.cleanup();
});

async function listen<T extends Server | TlsServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function register(api: string, profile: string) {
  return runCity(
    [
      'register',
      '--username',
      'x-user',
      '--email',
      'x@example.com',
      '--password-stdin',
      '--profile',
      profile,
      '--api',
      api,
    ],
    { env: ws.env, input: `${PASSWORD}\n` },
  );
}

describe('HTTP 429 is "retry later": exit 3 with the retry time', () => {
  it('a coded 429 body exits 3 and prints Retry-After', async () => {
    const port = await listen(
      createServer((_req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '42' });
        res.end(
          JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many requests; try again later.' } }),
        );
      }),
    );
    const run = await register(`http://127.0.0.1:${port}`, 'limited');
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('error RATE_LIMITED: Too many requests; try again later.\n  retry after 42 s\n');
  });

  it('a bare 429 (a proxy in front of the API) is RATE_LIMITED too, with an HTTP-date Retry-After', async () => {
    const port = await listen(
      createServer((_req, res) => {
        res.writeHead(429, {
          'content-type': 'text/plain',
          'retry-after': new Date(Date.now() + 3_600_000).toUTCString(),
        });
        res.end('slow down');
      }),
    );
    const run = await register(`http://127.0.0.1:${port}`, 'proxy-limited');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error RATE_LIMITED: the API answered POST \/register with HTTP 429/);
    const seconds = Number(/retry after (\d+) s/.exec(run.stderr)?.[1]);
    expect(seconds).toBeGreaterThan(3000);
    expect(seconds).toBeLessThanOrEqual(3600);
  });
});

describe('a wrong API address is a configuration error (exit 2), a stopped service is not', () => {
  it('a host name that does not resolve is API_ADDRESS_INVALID, exit 2', async () => {
    // .invalid never resolves (RFC 6761), so no query leaves the machine with an answer.
    const run = await register('http://city-api.invalid', 'no-host');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error API_ADDRESS_INVALID: cannot use the API address http:\/\/city-api\.invalid \(ENOTFOUND\); check --api or CITY_API_URL\n$/,
    );
  });

  it('https to a plain HTTP port is a TLS mismatch: API_ADDRESS_INVALID, exit 2', async () => {
    const port = await listen(createServer((_req, res) => res.end('{}')));
    const run = await register(`https://127.0.0.1:${port}`, 'wrong-scheme');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error API_ADDRESS_INVALID: .*\(ERR_SSL_WRONG_VERSION_NUMBER\)/);
  });

  const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasOpenssl)(
    'an untrusted (self-signed) certificate is API_ADDRESS_INVALID, exit 2 (needs openssl)',
    async () => {
      const dir = join(ws.root, 'tls');
      await mkdir(dir, { recursive: true });
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
        ].concat(['-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
        { stdio: 'ignore' },
      );
      const port = await listen(
        createTlsServer(
          { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
          (_req, res) => res.end('{}'),
        ),
      );
      const run = await register(`https://127.0.0.1:${port}`, 'self-signed');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error API_ADDRESS_INVALID: .*\(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    },
  );

  it('a refused connection stays SERVICE_UNAVAILABLE, exit 3', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = await register(`http://127.0.0.1:${port}`, 'refused');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error SERVICE_UNAVAILABLE: .*\(ECONNREFUSED\)\n$/);
  });
});

describe('a reader that closes stdout early', () => {
  it('ends the command without a stack trace (EPIPE is not an error of the command)', async () => {
    // The pipe's read end is closed before the command writes, as `| head -0` does.
    const child = spawn(process.execPath, [BIN, 'help', 'commands'], {
      env: ws.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe.skipIf(!hasTmux)('Ctrl-C at a prompt (needs tmux: apt-get install tmux)', () => {
  let session: TmuxSession | undefined;
  afterEach(() => {
    session?.close();
    session = undefined;
  });

  it('exits 130 with no error line', async () => {
    const dir = join(ws.root, 'ctrl-c');
    await mkdir(dir, { recursive: true });
    session = await TmuxSession.start(
      dir,
      `cd ${shellQuote(dir)} && ${shellQuote(process.execPath)} ${shellQuote(BIN)} register --username ctrl-c-user --email c@example.com --profile ctrl-c`,
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: ws.root,
        TERM: 'xterm-256color',
        CITY_DATA_DIR: ws.dataDir,
        CITY_PROFILE_DIR: ws.profileDir,
      },
    );
    await session.waitFor('Password');
    session.key('C-c');
    const { code, stdout } = await session.result();
    const screen = session.screen();
    expect(code, screen).toBe(130);
    expect(stdout).toBe('');
    expect(screen).not.toMatch(/error|ExitPromptError|at .*\.js:\d+/);
  });
});
