/**
 * The `pnpm start` entry as a real process: listens and answers /health with its version, exits 0
 * on SIGTERM after closing the stores, and exits 1 naming the variable on bad configuration or a
 * busy port. stdout carries only JSON log lines (the banner is on stderr); `--help` and
 * `--version` answer without starting; `CITY_METRICS=<port>` serves /metrics there only;
 * `--config <file>` (or CITY_CONFIG_FILE) reads the same variables from a file, under the environment.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const serverJs = join(packageDir, 'dist', 'server.js');
// Independent of the code under test: the manifest itself.
const packageVersion = (
  JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
).version;
let dataDir: string;

beforeAll(async () => {
  // The test runs the compiled entry, so compile the current sources first.
  execFileSync(
    process.execPath,
    [join(packageDir, '../../node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: packageDir,
    },
  );
  dataDir = await mkdtemp(join(tmpdir(), 'city-api-server-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function start(
  env: Record<string, string>,
  args: readonly string[] = [],
): {
  child: ChildProcess;
  output: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [serverJs, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, exit };
}

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('server process', () => {
  it('starts on the embedded default, answers /health and exits 0 on SIGTERM; stdout is JSON lines only', async () => {
    const port = await freePort();
    const server = start({ PORT: String(port), CITY_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      // The start-up lines are separate writes: wait for the last one looked at, not the first.
      await waitFor(() => server.output().includes(`data directory: ${dataDir}`), 'the start-up lines');
      expect(server.output()).toContain(`http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', version: packageVersion });
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);

      // A busy port is one clear line and exit 1.
      const second = start({
        PORT: String(port),
        CITY_DATA_DIR: await mkdtemp(join(tmpdir(), 'city-api-busy-')),
      });
      expect(await second.exit).toBe(1);
      expect(second.output()).toMatch(/port \d+ on 127\.0\.0\.1 is already in use/);

      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
      // Every stdout line is one JSON log record (request logs were written); the banner is not there.
      const lines = server.stdout().trim().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(server.stdout()).not.toContain('listening on');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('--help and --version print and exit 0 without starting; an unknown argument is exit 2', async () => {
    const help = start({ CITY_DATA_DIR: join(dataDir, 'never-created') }, ['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: node dist\/server\.js/);
    expect(help.stdout()).toContain('CITY_METRICS');
    const version = start({}, ['--version']);
    expect(await version.exit).toBe(0);
    expect(version.stdout()).toBe(`${packageVersion}\n`);
    const bad = start({}, ['--port=1']);
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toMatch(/unknown argument/);
    await expect(stat(join(dataDir, 'never-created'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('CITY_METRICS=<port> serves Prometheus text on that port only', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const server = start({
      PORT: String(port),
      CITY_DATA_DIR: await mkdtemp(join(tmpdir(), 'city-api-metrics-')),
      CITY_METRICS: String(metricsPort),
    });
    try {
      await waitFor(() => server.output().includes(`:${metricsPort}/metrics`), 'the metrics line');
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await metrics.text();
      expect(text).toMatch(/^city_http_requests_total\{method="GET",route="\/health",status="200"\} 1$/m);
      expect(text).toContain(`city_build_info{version="${packageVersion}"`);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ CITY_MODE: 'cloud' }, 'CITY_MODE'],
    [{ CITY_MODE: 'mongodb' }, 'MONGODB_URI'],
    [{ CITY_BODY_LIMIT: '1' }, 'CITY_BODY_LIMIT'],
    [{ CITY_METRICS: 'yes please' }, 'CITY_METRICS'],
    [{ CITY_ROOT_KEY_FILE: '/nonexistent/root.key', CITY_KEM_PRIVATE_KEY: 'x' }, 'CITY_ROOT_KEY_FILE'],
  ])('exits 1 on bad configuration %j naming %s', async (env, variable) => {
    const server = start({ CITY_DATA_DIR: dataDir, ...env });
    expect(await server.exit).toBe(1);
    expect(server.output()).toContain(`invalid configuration: ${variable}: `);
    expect(server.output().trim().split('\n')).toHaveLength(1);
  });

  it('--config <file> starts from an env file, the environment overriding it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'city-api-config-'));
    const port = await freePort();
    const other = await freePort();
    const configFile = join(dir, 'city.env');
    // PORT in the file is overridden by the environment; the data directory comes from the file.
    writeFileSync(configFile, `# test\nCITY_DATA_DIR=${join(dir, 'data')}\nPORT=${other}\nCITY_METRICS=on\n`);
    const server = start({ PORT: String(port) }, ['--config', configFile]);
    try {
      await waitFor(() => server.output().includes('/metrics'), 'the metrics line');
      expect(server.output()).toContain(`configuration: ${configFile}`);
      expect(server.output()).toContain(`data directory: ${join(dir, 'data')}`);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an unknown key', 'CITY_METRCS=on\n', 'CITY_METRCS: unknown key', 1],
    ['a bad value', 'CITY_MTLS=off\nCITY_BODY_LIMIT=huge\n', 'CITY_BODY_LIMIT: expected an integer', 2],
  ])(
    'a configuration file with %s stops the start with one line naming the key, file and line',
    async (_n, text, message, line) => {
      const dir = await mkdtemp(join(tmpdir(), 'city-api-config-bad-'));
      const configFile = join(dir, 'city.env');
      writeFileSync(configFile, text);
      const server = start({ CITY_CONFIG_FILE: configFile });
      expect(await server.exit).toBe(1);
      const lines = server.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`invalid configuration: ${message}`);
      expect(lines[0]).toContain(`(${configFile} line ${line})`);
      await expect(stat(join(dir, 'never-created'))).rejects.toMatchObject({ code: 'ENOENT' });
      await rm(dir, { recursive: true, force: true });
    },
  );

  it('--config without a file is a usage error (exit 2)', async () => {
    const server = start({}, ['--config']);
    expect(await server.exit).toBe(2);
    expect(server.output()).toContain('--config expects a file');
  });

  it('refuses to start on a data directory copied without its root key: one line with the code, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'city-api-root-'));
    const rootKeyFile = join(dir, 'root.key');
    const data = join(dir, 'data');
    const port = await freePort();
    const first = start({ PORT: String(port), CITY_DATA_DIR: data, CITY_ROOT_KEY_FILE: rootKeyFile });
    try {
      await waitFor(() => first.output().includes(`rootKey: file:${rootKeyFile}`), 'the root key line');
      first.child.kill('SIGTERM');
      expect(await first.exit).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
    }
    const copy = start({ PORT: String(port), CITY_DATA_DIR: data });
    expect(await copy.exit).toBe(1);
    expect(copy.output()).toMatch(/^city-api: SECRETS_MISSING: .*root key/);
    expect(copy.output().trim().split('\n')).toHaveLength(1);
    await rm(dir, { recursive: true, force: true });
  });
});
