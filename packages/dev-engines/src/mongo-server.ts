/**
 * `startMongoServer`: a MongoDB wire server for the embedded mode and the tests, chosen in this
 * order: `MONGODB_URI` (an existing server, never stopped by us); mongodb-memory-server, only
 * when its mongod binary is already on disk (it is never downloaded here: a download can hang
 * for minutes on a machine without network); FerretDB v1 with its SQLite backend, found on
 * PATH, at `$FERRETDB_BIN` or at `<repo>/.tools/go-bin/ferretdb`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { freePort } from './lib/free-port.js';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

/** A running MongoDB-compatible server. */
export interface MongoServer extends LocalService {
  /** Connection string for the driver (same as `endpoint`). */
  readonly uri: string;
  /** Which source provided the server. */
  readonly kind: 'uri' | 'memory-server' | 'ferretdb';
}

/** Options of {@link startMongoServer}. */
export interface StartMongoServerOptions {
  /** Directory for FerretDB's SQLite files (kept on stop); a temporary one (removed on stop) otherwise. */
  readonly dataDir?: string | undefined;
  /** Environment to read `MONGODB_URI` and `FERRETDB_BIN` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** How long to wait for the server to answer `ping` (default 20 s). */
  readonly startTimeoutMs?: number | undefined;
}

/** What to install, named in the error when no server can be started. */
export const MONGO_INSTALL_HINT =
  'set MONGODB_URI, or install FerretDB v1 (go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2, or set FERRETDB_BIN)';

/**
 * Starts (or finds) a MongoDB-compatible server on 127.0.0.1.
 *
 * @throws {LocalServiceError} `SERVICE_UNAVAILABLE` naming what to install when no source works;
 *   `SERVICE_START_FAILED` when FerretDB is installed but does not come up.
 * @example
 * ```ts
 * const server = await startMongoServer();
 * const stores = await createMongoStores({ uri: server.uri, dbName: 'city', notifier });
 * await stores.close();
 * await server.stop();
 * ```
 */
export async function startMongoServer(options: StartMongoServerOptions = {}): Promise<MongoServer> {
  const env = options.env ?? process.env;
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const uri = env.MONGODB_URI?.trim();
  if (uri) {
    return { uri, endpoint: uri, kind: 'uri', stop: async () => undefined };
  }
  const memory = await startMemoryServer();
  if (memory) return memory;
  const ferretdb = await findFerretDb(env);
  if (ferretdb) return startFerretDb(ferretdb, options.dataDir, timeoutMs);
  throw new LocalServiceError('SERVICE_UNAVAILABLE', `no MongoDB server available: ${MONGO_INSTALL_HINT}`);
}

/** mongodb-memory-server with an already present binary; `undefined` when unusable. */
async function startMemoryServer(): Promise<MongoServer | undefined> {
  interface MemoryServerModule {
    DryMongoBinary: {
      generateOptions(): Promise<{ version: string }>;
      locateBinary(options: { version: string }): Promise<string | undefined>;
    };
    MongoMemoryServer: {
      create(options: { instance: { ip: string } }): Promise<{ getUri(): string; stop(): Promise<boolean> }>;
    };
  }
  let mms: MemoryServerModule;
  try {
    const name = 'mongodb-memory-server';
    mms = (await import(name)) as MemoryServerModule;
  } catch {
    return undefined;
  }
  try {
    const binary = await mms.DryMongoBinary.locateBinary(await mms.DryMongoBinary.generateOptions());
    if (!binary) return undefined;
    const server = await mms.MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } });
    const uri = server.getUri();
    let stopped = false;
    return {
      uri,
      endpoint: uri,
      kind: 'memory-server',
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
      },
    };
  } catch {
    return undefined;
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The FerretDB binary: `$FERRETDB_BIN`, PATH, or the repository's `.tools/go-bin`. */
async function findFerretDb(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.FERRETDB_BIN && (await isExecutable(env.FERRETDB_BIN))) return env.FERRETDB_BIN;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, 'ferretdb')))) return join(dir, 'ferretdb');
  }
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (let depth = 0; depth < 8; depth += 1) {
      const candidate = join(dir, '.tools', 'go-bin', 'ferretdb');
      if (await isExecutable(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

async function pingOnce(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

async function startFerretDb(
  binary: string,
  dataDir: string | undefined,
  timeoutMs: number,
): Promise<MongoServer> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of liveChildren) child.kill('SIGKILL');
    });
  }
  const temporary = dataDir === undefined;
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'city-ferretdb-')));
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  liveChildren.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-2048);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      liveChildren.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      output += error.message;
      exited = true;
      liveChildren.delete(child);
      resolve();
    });
  });

  const cleanup = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(forced);
    }
    if (temporary) await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  let up = false;
  while (!exited && Date.now() < deadline) {
    up = await pingOnce(uri);
    if (up) break;
    await delay(100);
  }
  if (!up) {
    await cleanup();
    throw new LocalServiceError(
      'SERVICE_START_FAILED',
      `FerretDB (${binary}) did not answer ping on ${uri}: ${output.trim().slice(-600)}`,
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    uri,
    endpoint: uri,
    kind: 'ferretdb',
    stop: () => {
      stopping ??= cleanup();
      return stopping;
    },
  };
}
