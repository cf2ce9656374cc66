/**
 * Administrator commands as subprocesses: `keyvault init|status|rotate-kem|unwrap --check` on a file
 * capsule store, and `db init` against real local DynamoDB (dynalite) and S3 (s3rver) engines.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDynalite, startS3rver } from '@city/dev-engines';
import { readCapsuleHeader } from '@city/ntru-keyvault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
beforeAll(async () => {
  ws = await makeWorkspace('admin');
});
afterAll(() => ws.cleanup());

describe('city keyvault', () => {
  it('init with an unwritable --key-out names the path, leaves no capsule, and the retry works', async () => {
    const store = join(ws.root, 'vault-atomic');
    await writeFile(join(ws.root, 'plain-file'), 'x');
    const bad = join(ws.root, 'plain-file', 'kem.key');
    const failed = await runCity(['keyvault', 'init', '--store-dir', store, '--key-out', bad], {
      env: ws.env,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error FILE_NOT_WRITABLE: /);
    expect(failed.stderr).toContain(bad);
    const status = await runCity(['keyvault', 'status', '--store-dir', store, '--json'], { env: ws.env });
    expect(status.json()).toMatchObject({ initialised: false });
    const key = join(ws.root, 'kem-atomic.key');
    const retry = await runCity(['keyvault', 'init', '--store-dir', store, '--key-out', key, '--json'], {
      env: ws.env,
    });
    expect(retry.code, retry.stderr).toBe(0);
    const check = await runCity(
      ['keyvault', 'unwrap', '--check', '--store-dir', store, '--key', key, '--json'],
      {
        env: ws.env,
      },
    );
    expect(check.json()).toMatchObject({ ok: true });
    const exists = await runCity(
      ['keyvault', 'init', '--store-dir', join(ws.root, 'vault-other'), '--key-out', key],
      { env: ws.env },
    );
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^error FILE_EXISTS: /);
  });

  it('init → status → unwrap --check → rotate-kem → old key refused, new key accepted', async () => {
    const store = join(ws.root, 'vault');
    const key = join(ws.root, 'kem.key');
    const status0 = await runCity(['keyvault', 'status', '--store-dir', store, '--json'], { env: ws.env });
    expect(status0.code, status0.stderr).toBe(0);
    expect(status0.json()).toMatchObject({ initialised: false });

    const init = await runCity(['keyvault', 'init', '--store-dir', store, '--key-out', key, '--json'], {
      env: ws.env,
    });
    expect(init.code, init.stderr).toBe(0);
    const created = init.json<{ algorithm: string; keyId: string; privateKeyPem?: string }>();
    expect(created.algorithm).toBe('ntru-hrss-701');
    expect(created.privateKeyPem).toBeUndefined();
    expect(await modeOf(key)).toBe(0o600);
    // Oracle: the capsule on disk says the same as the command.
    const header = readCapsuleHeader(new Uint8Array(await readFile(join(store, 'master.capsule'))));
    expect(header.keyId).toBe(created.keyId);

    const again = await runCity(
      ['keyvault', 'init', '--store-dir', store, '--key-out', join(ws.root, 'kem2.key')],
      { env: ws.env },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error KEYVAULT_EXISTS: /);

    const status = await runCity(['keyvault', 'status', '--store-dir', store, '--json'], { env: ws.env });
    expect(status.json()).toMatchObject({
      initialised: true,
      algorithm: 'ntru-hrss-701',
      keyId: created.keyId,
    });

    const check = await runCity(
      ['keyvault', 'unwrap', '--check', '--store-dir', store, '--key', key, '--json'],
      { env: ws.env },
    );
    expect(check.code, check.stderr).toBe(0);
    expect(check.json()).toMatchObject({ ok: true, keyId: created.keyId, masterKeyBytes: 96 });
    expect(check.stdout).not.toMatch(/masterKey"/);

    const next = join(ws.root, 'kem.next.key');
    const rotate = await runCity(
      [
        'keyvault',
        'rotate-kem',
        '--store-dir',
        store,
        '--key',
        key,
        '--alg',
        'x25519+ml-kem-768',
        '--new-key-out',
        next,
        '--json',
      ],
      { env: ws.env },
    );
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.json()).toMatchObject({
      previous: { keyId: created.keyId },
      current: { algorithm: 'x25519+ml-kem-768' },
    });
    expect(await modeOf(next)).toBe(0o600);

    const stale = await runCity(['keyvault', 'unwrap', '--check', '--store-dir', store, '--key', key], {
      env: ws.env,
    });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error KEYVAULT_CHECK_FAILED: /);
    const fresh = await runCity(['keyvault', 'unwrap', '--check', '--store-dir', store], {
      env: { ...ws.env, CITY_KEM_PRIVATE_KEY: await readFile(next, 'utf8') },
    });
    expect(fresh.code, fresh.stderr).toBe(0);
  });

  it('unwrap needs --check and a key; a key file that is not a KEM key is a user error', async () => {
    const store = join(ws.root, 'vault-empty');
    const noCheck = await runCity(['keyvault', 'unwrap', '--store-dir', store, '--key', 'x'], {
      env: ws.env,
    });
    expect(noCheck.code).toBe(2);
    expect(noCheck.stderr).toMatch(/^error USAGE_ERROR: missing --check/);
    const noKey = await runCity(['keyvault', 'unwrap', '--check', '--store-dir', store], { env: ws.env });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^error USAGE_ERROR: missing --key/);
    const bogus = join(ws.root, 'bogus.key');
    await import('node:fs/promises').then((fs) => fs.writeFile(bogus, 'not a key'));
    const bad = await runCity(['keyvault', 'unwrap', '--check', '--store-dir', store, '--key', bogus], {
      env: ws.env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error KEY_MALFORMED: /);
    expect(bad.stderr).not.toContain('not a key');
  });

  it('status and unwrap --check see the vault the embedded deployment created in the data dir', async () => {
    const reg = await runCity(
      [
        'register',
        '--username',
        'vault-user',
        '--email',
        'v@example.com',
        '--password-stdin',
        '--profile',
        'v',
      ],
      {
        env: ws.env,
        input: `${PASSWORD}\n`,
      },
    );
    expect(reg.code, reg.stderr).toBe(0);
    const status = await runCity(['keyvault', 'status', '--json'], { env: ws.env });
    expect(status.json()).toMatchObject({ initialised: true, store: `file:${join(ws.dataDir, 'keyvault')}` });
    const check = await runCity(['keyvault', 'unwrap', '--check'], { env: ws.env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('the key opens the vault');
  });
});

describe('city db init', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  beforeAll(async () => {
    dynamo = await startDynalite({});
    s3 = await startS3rver({});
  });
  afterAll(async () => {
    await s3?.stop();
    await dynamo?.stop();
  });

  it('creates tables and bucket, and a second run finds them (idempotent)', async () => {
    const env = {
      ...ws.env,
      CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      CITY_S3_ENDPOINT: s3.endpoint,
      CITY_TABLE_PREFIX: 'clitest_',
      CITY_OUTBOX_DIR: join(ws.root, 'outbox'),
    };
    const first = await runCity(['db', 'init', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    const report = first.json<{
      tables: { created: string[]; existing: string[] };
      bucket: string;
      topicArn: null;
    }>();
    expect(report.tables.created.length).toBeGreaterThan(0);
    expect(report.tables.created.every((name) => name.startsWith('clitest_'))).toBe(true);
    expect(report.topicArn).toBeNull();
    const second = await runCity(['db', 'init', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    const again = second.json<{ tables: { created: string[]; existing: string[] } }>();
    expect(again.tables.created).toEqual([]);
    expect(again.tables.existing.sort()).toEqual(report.tables.created.sort());
  });

  it('an unreachable DynamoDB is exit 3; a malformed variable is a user error naming it', async () => {
    const down = await runCity(['db', 'init'], {
      env: {
        ...ws.env,
        CITY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
        CITY_DYNAMODB_MAX_ATTEMPTS: '1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    });
    expect(down.code, down.stderr).toBe(3);
    expect(down.stderr).toMatch(/^error STORE_UNAVAILABLE: /);
    const bad = await runCity(['db', 'init'], { env: { ...ws.env, CITY_DYNAMODB_ENDPOINT: 'not a url' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error CONFIG_INVALID: CITY_DYNAMODB_ENDPOINT /);
  });
});
