/**
 * A production install leaves out the development engines: choosing the embedded `dynalite` store
 * there must fail at start with SERVICE_UNAVAILABLE saying what to install, and the default SQLite
 * store must not need them. Simulated in a fresh Node process whose module resolution refuses
 * `@city/dev-engines` (and dynalite/s3rver) as an install without them would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Opens the embedded runtime with `store` where the engines are not installed; returns the outcome. */
function openWithoutEngines(store: 'sqlite' | 'dynalite'): { ok: boolean; code?: string; message?: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'city-no-engines-'));
  dirs.push(dataDir);
  const script = `
    import { registerHooks } from 'node:module';
    registerHooks({
      resolve(specifier, context, next) {
        if (/^(@city\\/dev-engines|dynalite|s3rver)(\\/|$)/.test(specifier)) {
          const error = new Error('Cannot find package ' + specifier);
          error.code = 'ERR_MODULE_NOT_FOUND';
          throw error;
        }
        return next(specifier, context);
      },
    });
    const { openEmbeddedAuth } = await import('@city/auth-runtime');
    try {
      const runtime = await openEmbeddedAuth({ dataDir: ${JSON.stringify(dataDir)}, store: ${JSON.stringify(store)} });
      await runtime.auth.createLoginChallenge();
      await runtime.close();
      process.stdout.write(JSON.stringify({ ok: true }));
    } catch (error) {
      process.stdout.write(JSON.stringify({ ok: false, code: error.code, message: error.message }));
    }
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { ok: boolean; code?: string; message?: string };
}

describe('the embedded dynalite store without the development engines installed', () => {
  it('fails at start with SERVICE_UNAVAILABLE naming the package to install and the sqlite alternative', () => {
    const outcome = openWithoutEngines('dynalite');
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('SERVICE_UNAVAILABLE');
    expect(outcome.message).toContain('@city/dev-engines');
    expect(outcome.message).toContain('CITY_EMBEDDED_STORE=dynalite');
    expect(outcome.message).toContain("'sqlite'");
  });

  it('the default sqlite store opens and answers without them', () => {
    expect(openWithoutEngines('sqlite')).toEqual({ ok: true });
  });
});
