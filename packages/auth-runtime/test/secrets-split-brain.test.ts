/**
 * Silent split brain: an instance started on a store that already holds data, with secrets that
 * are not the ones the data was written with (or with none), must refuse to start with a clear
 * error — not create a new key vault, answer FIELD_DECRYPT_FAILED for the other instances' users
 * and let a taken email register again. Two runtimes over one DynamoDB (dynalite) + S3 (s3rver)
 * store, each with its own secrets directory; the key vault is shared in the bucket, so an
 * instance needs only the root key.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoStoresConfig, loadStorageConfigFromEnv } from '@city/db-integration';
import { type LocalService, startDynalite, startS3rver } from '@city/dev-engines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from '../src/_load-secrets.js';
import { openAuthFromConfig } from '../src/open-auth-from-config.js';
import { openEmbeddedAuth } from '../src/open-embedded-auth.js';
import { expectAuthError, loginWithSignature, newUserBody } from './support/runtime-harness.js';

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `city-split-${label}-`));
  dirs.push(dir);
  return dir;
};

let dynamo: LocalService;
let s3: LocalService;
beforeAll(async () => {
  dynamo = await startDynalite();
  s3 = await startS3rver();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
  await dynamo?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty store (its own table prefix and bucket) on the shared engines. */
function freshStore(): DynamoStoresConfig {
  const tag = randomBytes(4).toString('hex');
  return loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_TABLE_PREFIX: `split${tag}_`,
    CITY_S3_ENDPOINT: s3.endpoint,
    CITY_S3_BUCKET: `split-${tag}`,
    CITY_OUTBOX_DIR: tempDir('outbox'),
  });
}

const open = (storage: DynamoStoresConfig, secretsDir: string) =>
  openAuthFromConfig({ mode: 'aws', storage, provision: true, secretsDir });

describe('an instance whose secrets do not match the store refuses to start', () => {
  it('without secrets on a store with data: SECRETS_MISSING, and it creates none', async () => {
    const storage = freshStore();
    const first = await open(storage, tempDir('first'));
    try {
      await first.auth.register(newUserBody());
    } finally {
      await first.close();
    }
    const empty = tempDir('empty');
    await expect(open(storage, empty)).rejects.toMatchObject({
      name: 'SecretsError',
      code: 'SECRETS_MISSING',
      // The key vault is shared (S3): what this instance lacks is the root key that opens it.
      message: expect.stringMatching(/key vault in s3:\/\/.* exists but its root key .* is missing/),
    });
    expect(readdirSync(empty).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('with another complete set of secrets: SECRETS_MISMATCH naming the root key that does not open the shared vault; nothing written', async () => {
    const storage = freshStore();
    const firstDir = tempDir('first');
    const first = await open(storage, firstDir);
    const body = newUserBody();
    const reg = await first.auth.register(body);
    await first.close();

    // Secrets made for another deployment (the four files and a key vault of its own).
    const foreign = tempDir('foreign');
    await loadOrCreateSecrets({ dir: foreign, mayCreate: true });
    const error = await open(storage, foreign).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SECRETS_MISMATCH' });
    expect((error as Error).message).toMatch(/does not open the key vault in s3:\/\//);

    // The instance with the right secrets still reads everything; the email is still taken.
    const again = await open(storage, firstDir);
    try {
      const login = await loginWithSignature(again.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
      await expectAuthError(again.auth.register({ ...newUserBody(), email: body.email }), 'EMAIL_TAKEN');
    } finally {
      await again.close();
    }
  });

  it('an instance given only the root key shares the key vault kept in S3: no copy of the vault files', async () => {
    const storage = freshStore();
    const firstDir = tempDir('first');
    const a = await openAuthFromConfig({ mode: 'aws', storage, provision: true, secretsDir: firstDir });
    // The vault lives in the bucket, not in the first instance's directory.
    expect(existsSync(join(firstDir, 'keyvault'))).toBe(false);
    const rootKeyPem = readFileSync(join(firstDir, 'keyvault-kem.key'), 'utf8');
    const onlyRootKey = tempDir('root-only');
    const b = await openAuthFromConfig({
      mode: 'aws',
      storage,
      secretsDir: onlyRootKey,
      rootKey: { pem: rootKeyPem },
    });
    try {
      const body = newUserBody();
      const reg = await a.auth.register(body);
      const login = await loginWithSignature(b.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
      expect(b.auth.jwks()).toEqual(a.auth.jwks());
      await expectAuthError(b.auth.register({ ...newUserBody(), email: body.email }), 'EMAIL_TAKEN');
      expect(readdirSync(onlyRootKey).filter((name) => !name.startsWith('.'))).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two first instances racing on an empty store with the same root key: both start on one shared vault', async () => {
    const storage = freshStore();
    const seed = tempDir('seed');
    await loadOrCreateSecrets({ dir: seed, mayCreate: true });
    const rootKey = { pem: readFileSync(join(seed, 'keyvault-kem.key'), 'utf8') };
    const [a, b] = await Promise.all([
      openAuthFromConfig({ mode: 'aws', storage, provision: true, secretsDir: tempDir('racer'), rootKey }),
      openAuthFromConfig({ mode: 'aws', storage, provision: true, secretsDir: tempDir('racer'), rootKey }),
    ]);
    try {
      expect(b.auth.jwks()).toEqual(a.auth.jwks());
      const reg = await b.auth.register(newUserBody());
      const login = await loginWithSignature(a.auth, {
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

  it('two instances with copies of the same secrets serve the same users', async () => {
    const storage = freshStore();
    const firstDir = tempDir('first');
    const a = await open(storage, firstDir);
    const copy = tempDir('copy');
    cpSync(firstDir, copy, { recursive: true });
    const b = await open(storage, copy);
    try {
      const body = newUserBody();
      const reg = await a.auth.register(body);
      const login = await loginWithSignature(b.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
      expect(b.auth.jwks()).toEqual(a.auth.jwks());
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two first instances racing on an empty store with separate secrets: exactly one starts', async () => {
    const storage = freshStore();
    const results = await Promise.allSettled([
      open(storage, tempDir('racer')),
      open(storage, tempDir('racer')),
    ]);
    const started = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SECRETS_MISMATCH' });
    await (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof open>>>).value.close();
  });

  it('embedded: a data directory opened with another root key is SECRETS_MISMATCH, and the vault is untouched', async () => {
    const dataDir = tempDir('embedded');
    await (await openEmbeddedAuth({ dataDir })).close();
    const otherRoot = join(tempDir('root'), 'root.key');
    await expect(openEmbeddedAuth({ dataDir, rootKey: { file: otherRoot } })).rejects.toMatchObject({
      code: 'SECRETS_MISSING',
    });
    expect(existsSync(otherRoot)).toBe(false);
    await loadOrCreateSecrets({ dir: tempDir('other'), rootKey: { file: otherRoot }, mayCreate: true });
    await expect(openEmbeddedAuth({ dataDir, rootKey: { file: otherRoot } })).rejects.toMatchObject({
      code: 'SECRETS_MISMATCH',
    });
    const reopened = await openEmbeddedAuth({ dataDir });
    await reopened.close();
  });
});
