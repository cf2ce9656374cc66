/** Runs the built `city` executable as a real subprocess (no TTY) and collects its output. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'bin.js');

export interface CityRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** Environment without the caller's CITY_* variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('CITY_') && k !== 'FORCE_COLOR' && k !== 'NO_COLOR') env[k] = v;
  }
  return { ...env, ...extra };
}

export function runCity(
  args: readonly string[],
  options: { env: Record<string, string>; input?: string; cwd?: string },
): Promise<CityRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`stdout is not JSON:\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** A temporary directory with data and profile sub-directories, and the env pointing at them. */
export async function makeWorkspace(prefix: string): Promise<{
  root: string;
  dataDir: string;
  profileDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), `city-cli-${prefix}-`));
  const dataDir = join(root, 'data');
  const profileDir = join(root, 'profiles');
  return {
    root,
    dataDir,
    profileDir,
    env: cleanEnv({ CITY_DATA_DIR: dataDir, CITY_PROFILE_DIR: profileDir, HOME: root }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Permission bits of a file (POSIX). */
export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

export const PASSWORD = 'Violet-Harbour-1729';
