/**
 * Each adapter family is its own entry point: importing `@city/db-integration/sqlite` must not load
 * the AWS SDK or the MongoDB driver, and so on. Checked in a fresh Node process (the built `dist`,
 * resolved through the package's `exports` as a consumer would) with a module resolve hook that
 * records every module the import pulls in, ESM and CommonJS alike.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

/** Every module URL resolved while importing `specifier` in a new process. */
function modulesLoadedBy(specifier: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({ resolve(spec, context, next) { const r = next(spec, context); seen.push(r.url); return r; } });
    await import(${JSON.stringify(specifier)});
    process.stdout.write(JSON.stringify(seen));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

const AWS = /\/node_modules\/@aws-sdk\/|\/node_modules\/@smithy\//;
const MONGO = /\/node_modules\/(mongodb|bson|mongodb-connection-string-url)\//;

describe('adapter entry points load only their own engine', () => {
  it('/sqlite loads neither the AWS SDK nor the MongoDB driver', () => {
    const loaded = modulesLoadedBy('@city/db-integration/sqlite');
    expect(loaded.some((url) => url.endsWith('/dist/sqlite.js'))).toBe(true);
    expect(loaded.filter((url) => AWS.test(url) || MONGO.test(url))).toEqual([]);
  });

  it('/dynamodb loads the AWS SDK but not the MongoDB driver', () => {
    const loaded = modulesLoadedBy('@city/db-integration/dynamodb');
    expect(loaded.some((url) => AWS.test(url))).toBe(true);
    expect(loaded.filter((url) => MONGO.test(url))).toEqual([]);
  });

  it('/mongodb loads the MongoDB driver but not the AWS SDK', () => {
    const loaded = modulesLoadedBy('@city/db-integration/mongodb');
    expect(loaded.some((url) => MONGO.test(url))).toBe(true);
    expect(loaded.filter((url) => AWS.test(url))).toEqual([]);
  });

  it('the root entry (configuration, outbox) loads no engine at all', () => {
    const loaded = modulesLoadedBy('@city/db-integration');
    expect(loaded.filter((url) => AWS.test(url) || MONGO.test(url))).toEqual([]);
  });
});
