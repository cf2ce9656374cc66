/**
 * The compiled API (`dist/server.js`) as a child process for tests that need real processes
 * (worker mode, `kill -9`), and HTTP connections pinned to one worker: a keep-alive agent with a
 * single socket stays on the worker that accepted it, and `/health` on it says which one that is.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const serverJs = join(packageDir, 'dist', 'server.js');

/** Compiles the current sources, so the process runs what the test reads. */
export function compileServer(): void {
  execFileSync(
    process.execPath,
    [join(packageDir, '../../node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: packageDir },
  );
}

/** A started API process. */
export interface ApiProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exit: Promise<number | string | null>;
  /** The base URL once the listening line was written. */
  url(): Promise<string>;
  /** Pids of the workers that wrote "worker N listening (pid P)", by worker number. */
  workerPids(): Map<number, number>;
}

/** Waits until `predicate` holds, polling every 50 ms, up to `attempts` polls. */
export async function waitFor(predicate: () => boolean, what: string, attempts = 1200): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts `dist/server.js` on 127.0.0.1 with an OS-chosen port and the given environment. */
export function startApi(env: Record<string, string>): ApiProcess {
  const child = spawn(process.execPath, [serverJs], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const listening = /City Chain Auth API \S+ listening on (http:\/\/127\.0\.0\.1:\d+)/;
  return {
    child,
    output: () => output,
    exit,
    async url() {
      await waitFor(() => listening.test(output) || child.exitCode !== null, 'the listening line');
      const match = listening.exec(output);
      if (match === null) throw new Error(`the API did not start:\n${output}`);
      return match[1] as string;
    },
    workerPids() {
      const pids = new Map<number, number>();
      for (const match of output.matchAll(/worker (\d+) listening \(pid (\d+)\)/g)) {
        pids.set(Number(match[1]), Number(match[2]));
      }
      return pids;
    },
  };
}

/** True while a process with `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A JSON answer. */
export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  readonly body: any;
}

/** One keep-alive connection: every request on it goes to the same worker. */
export class PinnedConnection {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #url: URL;
  /** The worker that answered `/health` on this connection (undefined outside worker mode). */
  worker: number | undefined;

  constructor(baseUrl: string) {
    this.#url = new URL(baseUrl);
  }

  /** Opens the connection and learns its worker. */
  static async open(baseUrl: string): Promise<PinnedConnection> {
    const connection = new PinnedConnection(baseUrl);
    const health = await connection.send('GET', '/health');
    if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
    connection.worker = health.body.worker;
    return connection;
  }

  send(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<Answer> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers,
          agent: this.#agent,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => {
            let body: unknown = text;
            try {
              body = text === '' ? undefined : JSON.parse(text);
            } catch {
              // Not JSON: the text itself.
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** One connection per worker (opening new connections until `count` distinct workers answered). */
export async function connectionPerWorker(baseUrl: string, count: number): Promise<PinnedConnection[]> {
  const byWorker = new Map<number, PinnedConnection>();
  for (let attempt = 0; attempt < count * 20 && byWorker.size < count; attempt += 1) {
    const connection = await PinnedConnection.open(baseUrl);
    if (connection.worker !== undefined && !byWorker.has(connection.worker)) {
      byWorker.set(connection.worker, connection);
    } else {
      connection.close();
    }
  }
  if (byWorker.size < count) throw new Error(`only ${byWorker.size} of ${count} workers answered`);
  return [...byWorker.values()];
}
