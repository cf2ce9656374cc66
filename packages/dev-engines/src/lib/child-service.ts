/**
 * Internal: runs an engine as a child process and waits until its HTTP port answers.
 * The child is killed when the parent exits, so a crashed test run leaves no Java or Python
 * process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { LocalServiceError } from '../local-service-error.js';

/** How the child failed to come up. */
export type ChildStartFailure =
  | { readonly kind: 'missing'; readonly error: Error }
  | { readonly kind: 'exited'; readonly code: number | null; readonly output: string }
  | { readonly kind: 'timeout'; readonly output: string };

/** A started child process that answers HTTP on `port`. */
export interface ChildService {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** True once `http://127.0.0.1:port/` answers anything at all (any status). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/**
 * Spawns `command args`, resolves once the port answers, or returns why it failed.
 * Output is kept (last 4 KiB) for the error message.
 */
export async function startChildService(
  command: string,
  args: readonly string[],
  port: number,
  options: { timeoutMs: number; cwd?: string },
): Promise<{ ok: true; service: ChildService } | { ok: false; failure: ChildStartFailure }> {
  installExitHook();
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4096);
  };
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  let exited = false;
  let exitCode: number | null = null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      exitCode = code;
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      exited = true;
      live.delete(child);
      resolve();
    });
  });
  live.add(child);

  const deadline = Date.now() + options.timeoutMs;
  let up = false;
  while (!up && Date.now() < deadline) {
    if (spawnError !== undefined) {
      const code = (spawnError as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? { ok: false, failure: { kind: 'missing', error: spawnError } }
        : { ok: false, failure: { kind: 'exited', code: null, output: spawnError.message } };
    }
    if (exited) return { ok: false, failure: { kind: 'exited', code: exitCode, output } };
    up = await answers(port);
    if (!up) await delay(150);
  }
  if (!up) {
    child.kill('SIGKILL');
    await exitedPromise;
    return { ok: false, failure: { kind: 'timeout', output } };
  }
  child.stdout?.resume();
  child.stderr?.resume();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(forced);
    })();
    return stopping;
  };
  return { ok: true, service: { child, stop } };
}

/** Turns a start failure into a `LocalServiceError` naming what to install. */
export function childStartError(
  service: string,
  failure: ChildStartFailure,
  install: string,
): LocalServiceError {
  switch (failure.kind) {
    case 'missing':
      return new LocalServiceError('SERVICE_UNAVAILABLE', `${service} is not available: ${install}`, {
        cause: failure.error,
      });
    case 'exited':
      return new LocalServiceError(
        'SERVICE_START_FAILED',
        `${service} exited during start-up (code ${String(failure.code)}): ${failure.output.trim().slice(-800)}`,
      );
    case 'timeout':
      return new LocalServiceError(
        'SERVICE_START_FAILED',
        `${service} did not answer in time: ${failure.output.trim().slice(-800)}`,
      );
  }
}
