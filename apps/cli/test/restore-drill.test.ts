/**
 * Restore drill: users register through a running API (apps/api `buildApp` over the embedded SQLite
 * deployment, listening on 127.0.0.1), `city backup` copies its data directory while the API keeps
 * serving and registering, `city restore` rebuilds it in an empty directory, and every user
 * registered before the backup logs in against the restored copy with the device key of their
 * profile (the restored CA, JWT keys, key vault and records all have to be right for that).
 * Then the refusals: a damaged or path-escaping backup, a non-empty target, a missing or wrong KEM
 * key — each a 4xx-style user error with its code and no target directory left behind.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildApp, loadConfig, openAuthRuntime } from '@city/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, runCity } from './helpers/run-city.js';

type App = Awaited<ReturnType<typeof buildApp>>;
type Runtime = Awaited<ReturnType<typeof openAuthRuntime>>;

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let app: App;
let runtime: Runtime;
let url: string;
let serverData: string;
let backupDir: string;

const USERS = ['alice', 'bob', 'carol', 'dave'];
const passwordOf = (name: string) => `Restore-Drill-${name.length}-${name.charCodeAt(0)}-Harbour`;

function register(name: string) {
  return runCity(
    ['register', '--username', name, '--email', `${name}@example.com`, '--password-stdin', '--profile', name],
    { env: { ...ws.env, CITY_API_URL: url }, input: `${passwordOf(name)}\n` },
  );
}

function loginDirect(name: string, dataDir: string) {
  return runCity(['login', '--profile', name, '--password-stdin', '--data-dir', dataDir, '--json'], {
    env: ws.env,
    input: `${passwordOf(name)}\n`,
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  ws = await makeWorkspace('restore');
  serverData = join(ws.root, 'server-data');
  backupDir = join(ws.root, 'backups', 'first');
  const config = loadConfig({
    CITY_DATA_DIR: serverData,
    PORT: '0',
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
  });
  runtime = await openAuthRuntime(config);
  app = await buildApp({ auth: runtime.auth, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  for (const name of USERS) {
    const run = await register(name);
    expect(run.code, run.stderr).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await ws?.cleanup();
});

describe('restore drill', () => {
  it('backs up the running deployment while it registers, restores into an empty directory, and every user logs in', {
    timeout: 300_000,
  }, async () => {
    // Registrations keep going through the API while the snapshot is taken.
    const [backup, ...during] = await Promise.all([
      runCity(['backup', backupDir, '--data-dir', serverData, '--json'], { env: ws.env }),
      register('erin'),
      register('frank'),
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    for (const run of during) expect(run.code, run.stderr).toBe(0);
    const summary = backup.json<{ files: number; includesKemKey: boolean }>();
    expect(summary.includesKemKey).toBe(true);
    const manifest = JSON.parse(await readFile(join(backupDir, 'manifest.json'), 'utf8'));
    const paths = manifest.files.map((file: { path: string }) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'city.db',
        'keyvault-kem.key',
        'keyvault/master.capsule',
        'keyvault/service-ca.capsule',
        'keyvault/service-jwt.capsule',
      ]),
    );
    // The CA and JWT keys are only sealed: no plain key file in the backup.
    for (const plain of ['ca.pem', 'ca-key.pem', 'jwt-keys.json']) expect(paths).not.toContain(plain);
    expect(paths.some((path: string) => path.startsWith('keyvault/'))).toBe(true);
    expect(summary.files).toBe(paths.length);
    for (const path of paths) expect(await modeOf(join(backupDir, path))).toBe(0o600);

    // The API is still serving after the backup.
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const restored = join(ws.root, 'restored');
    const restore = await runCity(['restore', backupDir, '--data-dir', restored, '--json'], { env: ws.env });
    expect(restore.code, restore.stderr).toBe(0);
    for (const secret of [
      'keyvault-kem.key',
      'keyvault/master.capsule',
      'keyvault/service-ca.capsule',
      'keyvault/service-jwt.capsule',
    ])
      expect(await readFile(join(restored, secret), 'utf8')).toBe(
        await readFile(join(serverData, secret), 'utf8'),
      );
    expect((await stat(restored)).mode & 0o777).toBe(0o700);

    for (const name of USERS) {
      const login = await loginDirect(name, restored);
      expect(login.code, `${name}: ${login.stderr}`).toBe(0);
      expect(login.json()).toMatchObject({ username: name });
    }
    // A registration that overlapped the snapshot is either wholly in it or wholly absent.
    for (const name of ['erin', 'frank']) {
      const login = await loginDirect(name, restored);
      if (login.code !== 0) expect(login.stderr).toMatch(/INVALID_CREDENTIALS/);
      else expect(login.json()).toMatchObject({ username: name });
    }
    // The restored directory is self-contained: the original still works on its own.
    const original = await loginDirect('alice', serverData);
    expect(original.code, original.stderr).toBe(0);
  });

  it('a backup without the KEM key restores only with --kem-key, and only with the right one', {
    timeout: 300_000,
  }, async () => {
    const keyless = join(ws.root, 'backups', 'keyless');
    const backup = await runCity(['backup', keyless, '--data-dir', serverData, '--no-kem-key'], {
      env: ws.env,
    });
    expect(backup.code, backup.stderr).toBe(0);
    expect(await exists(join(keyless, 'keyvault-kem.key'))).toBe(false);

    const target = join(ws.root, 'restored-keyless');
    const missing = await runCity(['restore', keyless, '--data-dir', target], { env: ws.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/USAGE_ERROR.*--kem-key/);
    expect(await exists(target)).toBe(false);

    const otherKey = join(ws.root, 'other-kem.key');
    const otherVault = join(ws.root, 'other-vault');
    const init = await runCity(['keyvault', 'init', '--store-dir', otherVault, '--key-out', otherKey], {
      env: ws.env,
    });
    expect(init.code, init.stderr).toBe(0);
    const wrong = await runCity(['restore', keyless, '--data-dir', target, '--kem-key', otherKey], {
      env: ws.env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/KEYVAULT_CHECK_FAILED/);
    expect(await exists(target)).toBe(false);

    const right = await runCity(
      ['restore', keyless, '--data-dir', target, '--kem-key', join(serverData, 'keyvault-kem.key')],
      { env: ws.env },
    );
    expect(right.code, right.stderr).toBe(0);
    const login = await loginDirect('bob', target);
    expect(login.code, login.stderr).toBe(0);
  });
});

describe('backup and restore refuse what they cannot do safely', () => {
  it('restore into a non-empty directory is FILE_EXISTS and leaves it untouched', async () => {
    const target = join(ws.root, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'mine');
    const run = await runCity(['restore', backupDir, '--data-dir', target], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_EXISTS: /);
    expect(await readdir(target)).toEqual(['keep.txt']);
  });

  it('backup of a directory without city.db is FILE_NOT_FOUND and writes no backup', async () => {
    const target = join(ws.root, 'backups', 'of-nothing');
    const run = await runCity(['backup', target, '--data-dir', join(ws.root, 'no-data')], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_NOT_FOUND: .*city\.db/);
    expect(await exists(target)).toBe(false);
  });

  it('backup into a non-empty directory is FILE_EXISTS', async () => {
    const run = await runCity(['backup', backupDir, '--data-dir', serverData], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_EXISTS: /);
  });

  it('backup tampering: a changed secret is refused by its checksum and nothing is restored', async () => {
    const tampered = join(ws.root, 'backups', 'tampered');
    expect((await runCity(['backup', tampered, '--data-dir', serverData], { env: ws.env })).code).toBe(0);
    const keys = join(tampered, 'keyvault', 'service-jwt.capsule');
    const sealed = await readFile(keys);
    sealed[sealed.length - 1] = (sealed[sealed.length - 1]! + 1) % 128;
    await writeFile(keys, sealed);
    const target = join(ws.root, 'restored-tampered');
    const run = await runCity(['restore', tampered, '--data-dir', target], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error INPUT_INVALID: .*service-jwt\.capsule/);
    expect(await exists(target)).toBe(false);
    expect((await readdir(ws.root)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('manifest path traversal: an entry outside the backup directory is refused before anything is read', async () => {
    const evil = join(ws.root, 'backups', 'evil');
    expect((await runCity(['backup', evil, '--data-dir', serverData], { env: ws.env })).code).toBe(0);
    const manifestPath = join(evil, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.files.push({ path: '../../server-data/ca-key.pem', bytes: 1, sha256: '00' });
    await writeFile(manifestPath, JSON.stringify(manifest));
    const target = join(ws.root, 'restored-evil');
    const run = await runCity(['restore', evil, '--data-dir', target], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error INPUT_INVALID: .*invalid file entry/);
    expect(await exists(target)).toBe(false);
  });

  it('a directory that is not a backup is FILE_NOT_FOUND', async () => {
    const run = await runCity(['restore', join(ws.root, 'profiles'), '--data-dir', join(ws.root, 'r')], {
      env: ws.env,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_NOT_FOUND: .*manifest\.json/);
  });
});
