/**
 * mongodb mode keeps the key vault capsules in MongoDB beside the data, while the root key stays
 * outside the database: a copy of the database opens nothing. A deployment whose capsules were
 * files moves them in on its first start; two instances starting at once on an empty database end
 * on one vault; an instance whose root key does not open the stored vault refuses to start.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoCapsuleStore } from '@city/db-integration/mongodb';
import { type MongoServer, startMongoServer } from '@city/dev-engines';
import { FileCapsuleStore, formatKemPrivateKeyPem, generateKemKeyPair } from '@city/ntru-keyvault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthFromConfig } from '../src/open-auth-from-config.js';
import { SecretsError } from '../src/secrets-error.js';
import { loginWithSignature, mongoSkipReason, newUserBody } from './support/runtime-harness.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-mongo-vault-'));
  dirs.push(dir);
  return dir;
};
let server: MongoServer | undefined;
beforeAll(async () => {
  if (mongoSkipReason === undefined) server = await startMongoServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const newDb = () => `city_kv_${randomUUID().slice(0, 8)}`;
const open = (
  dbName: string,
  secretsDir: string,
  extra: Partial<Parameters<typeof openAuthFromConfig>[0]> = {},
) => openAuthFromConfig({ mode: 'mongodb', uri: server!.uri, dbName, secretsDir, ...extra } as never);

async function storedCapsules(dbName: string): Promise<string[]> {
  const store = new MongoCapsuleStore({ uri: server!.uri, dbName });
  try {
    const names = ['master', 'datakeys', 'service-ca', 'service-jwt'];
    const present = await Promise.all(names.map(async (name) => ((await store.read(name)) ? name : '')));
    return present.filter(Boolean);
  } finally {
    await store.close();
  }
}

const skip = mongoSkipReason === undefined ? '' : ` (${mongoSkipReason})`;

describe.skipIf(mongoSkipReason !== undefined)(`mongodb mode key vault in MongoDB${skip}`, () => {
  it('keeps the capsules in <db>.keyvault_capsules, not in files; the root key stays in its own file', async () => {
    const dbName = newDb();
    const secretsDir = tempDir();
    const rootKeyFile = join(tempDir(), 'root.key');
    const runtime = await open(dbName, secretsDir, { rootKey: { file: rootKeyFile } });
    try {
      expect(runtime.describe.keyvault).toBe(`mongodb:${dbName}.keyvault_capsules`);
      expect(runtime.describe.rootKey).toBe(`file:${rootKeyFile}`);
      expect(runtime.describe.keyvaultMigrated).toBeUndefined();
      expect(await storedCapsules(dbName)).toEqual(['master', 'datakeys', 'service-ca', 'service-jwt']);
      expect(existsSync(join(secretsDir, 'keyvault'))).toBe(false);
      expect(existsSync(rootKeyFile)).toBe(true);
      await runtime.auth.register(newUserBody());
    } finally {
      await runtime.close();
    }
    // A restart (another instance with the same root key and an empty secrets directory) reads the vault.
    const again = await open(dbName, tempDir(), { rootKey: { file: rootKeyFile } });
    expect(again.describe.keyvault).toBe(`mongodb:${dbName}.keyvault_capsules`);
    await again.close();
  });

  it('moves capsules kept as files into MongoDB on the first start; the data stays readable', async () => {
    const dbName = newDb();
    const secretsDir = tempDir();
    const files = new FileCapsuleStore(join(secretsDir, 'keyvault'));
    const before = await open(dbName, secretsDir, { capsuleStore: files });
    expect(before.describe.keyvault).toBe(`file:${join(secretsDir, 'keyvault')}`);
    const body = newUserBody();
    const reg = await before.auth.register(body);
    const jwks = before.auth.jwks();
    await before.close();

    const after = await open(dbName, secretsDir);
    try {
      expect(after.describe.keyvault).toBe(`mongodb:${dbName}.keyvault_capsules`);
      expect(after.describe.keyvaultMigrated).toMatch(
        /^datakeys, service-ca, service-jwt, master copied from /,
      );
      const store = new MongoCapsuleStore({ uri: server!.uri, dbName });
      for (const name of ['master', 'datakeys', 'service-ca', 'service-jwt']) {
        expect(await store.read(name)).toEqual(await files.read(name));
      }
      await store.close();
      expect(after.auth.jwks()).toEqual(jwks);
      const login = await loginWithSignature(after.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
    } finally {
      await after.close();
    }
    // The files stay as a backup; once MongoDB holds the vault nothing is copied again.
    expect(readdirSync(join(secretsDir, 'keyvault')).sort()).toContain('master.capsule');
    const again = await open(dbName, secretsDir);
    expect(again.describe.keyvaultMigrated).toBeUndefined();
    await again.close();
  });

  it('two instances starting at once with one root key create one vault and serve the same users', async () => {
    const dbName = newDb();
    const pem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const [a, b] = await Promise.all([
      open(dbName, tempDir(), { rootKey: { pem } }),
      open(dbName, tempDir(), { rootKey: { pem } }),
    ]);
    try {
      expect(a.auth.jwks()).toEqual(b.auth.jwks());
      const reg = await a.auth.register(newUserBody());
      const login = await loginWithSignature(b.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.uuid).toBe(reg.uuid);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('split brain: of two instances starting at once with different root keys exactly one starts', async () => {
    const dbName = newDb();
    const results = await Promise.allSettled([open(dbName, tempDir()), open(dbName, tempDir())]);
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(SecretsError);
    expect(['SECRETS_MISMATCH', 'SECRETS_MISSING']).toContain((refused[0] as SecretsError).code);
    expect((refused[0] as SecretsError).message).toContain(`mongodb:${dbName}.keyvault_capsules`);
    expect((refused[0] as SecretsError).message).toMatch(/root key/);
    await started[0]!.close();
  });

  it('an instance whose root key does not open the stored vault refuses with SECRETS_MISMATCH and writes nothing', async () => {
    const dbName = newDb();
    const first = await open(dbName, tempDir());
    await first.auth.register(newUserBody());
    await first.close();
    const store = new MongoCapsuleStore({ uri: server!.uri, dbName });
    const masterBefore = await store.read('master');
    const otherPem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const error = await open(dbName, tempDir(), { rootKey: { pem: otherPem } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretsError);
    expect((error as SecretsError).code).toBe('SECRETS_MISMATCH');
    expect((error as SecretsError).message).toContain(
      `the root key (environment) does not open the key vault in mongodb:${dbName}.keyvault_capsules`,
    );
    expect(await store.read('master')).toEqual(masterBefore);
    await store.close();
  });
});
