/**
 * Direct mode on the embedded data directory: the SQLite `city.db` is shared with another process
 * that holds the same directory open (as a running API does), and CITY_EMBEDDED_STORE chooses the
 * record store exactly as the API reads it.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuthRuntime, openEmbeddedAuth } from '@city/auth-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const register = (username: string, env: Record<string, string>) =>
  runCity(
    [
      'register',
      '--username',
      username,
      '--email',
      `${username}@example.com`,
      '--password-stdin',
      '--alg',
      'ecdsa-p256',
      '--profile',
      username,
      '--json',
    ],
    { env, input: `${PASSWORD}\n` },
  );

beforeAll(async () => {
  ws = await makeWorkspace('embedded');
});
afterAll(() => ws.cleanup());

describe('a data directory held open by another process', () => {
  let held: AuthRuntime;
  beforeAll(async () => {
    held = await openEmbeddedAuth({ dataDir: ws.dataDir });
  });
  afterAll(() => held?.close());

  it('the CLI registers into the same city.db, and each side sees the other side at once', async () => {
    const body = (username: string) => ({
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      key_algorithm: 'ecdsa-p256',
    });
    await held.auth.register(body('heldfirst'));

    const taken = await register('heldfirst', ws.env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error USERNAME_TAKEN: /);

    const run = await register('clifirst', ws.env);
    expect(run.code, run.stderr).toBe(0);
    await expect(held.auth.register(body('clifirst'))).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(await exists(join(ws.dataDir, 'city.db'))).toBe(true);
  });
});

describe('CITY_EMBEDDED_STORE', () => {
  it('dynalite keeps the records in the DynamoDB-compatible engines instead of city.db', async () => {
    const dataDir = join(ws.root, 'dynalite-data');
    const run = await register('dyna', {
      ...ws.env,
      CITY_DATA_DIR: dataDir,
      CITY_EMBEDDED_STORE: 'dynalite',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await exists(join(dataDir, 'dynamodb'))).toBe(true);
    expect(await exists(join(dataDir, 'city.db'))).toBe(false);
  });

  it('an unknown value is a usage error naming the variable (exit 2)', async () => {
    const run = await runCity(['whoami', '--profile', 'clifirst'], {
      env: { ...ws.env, CITY_EMBEDDED_STORE: 'leveldb' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error USAGE_ERROR: CITY_EMBEDDED_STORE: expected one of sqlite, dynalite, got "leveldb"\n',
    );
  });
});
