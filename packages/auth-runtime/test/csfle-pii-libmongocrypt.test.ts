/**
 * mongodb mode writes personal data in MongoDB CSFLE's format, and real libmongocrypt (Python
 * pymongo + pymongocrypt, `.tools/venv-csfle`) reads it: a user registered through the runtime,
 * its profile fields decrypted by libmongocrypt with the key vault's NTRU-unwrapped master key as
 * the local KMS key and the data keys in `<db>.keyvault_datakeys`, and found by an equality query
 * on the deterministic email ciphertext libmongocrypt computes. Also: `auto` keeps today's field
 * cipher when the native module does not load (and says so), a deployment keeps CSFLE once it has
 * its data keys, profiles written with the field cipher are rewritten into CSFLE when it is chosen,
 * and values written in the other format stay readable.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMongoStores, MongoCapsuleStore } from '@city/db-integration/mongodb';
import {
  libmongocryptPython,
  type MongoServer,
  runLibmongocryptPeer,
  startMongoServer,
} from '@city/dev-engines';
import { csfleStatus, formatKemPrivateKeyPem, generateKemKeyPair, KeyVault } from '@city/ntru-keyvault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthFromConfig } from '../src/open-auth-from-config.js';
import { SecretsError } from '../src/secrets-error.js';
import { inCi, loginWithSignature, mongoSkipReason, newUserBody } from './support/runtime-harness.js';

const python = libmongocryptPython();

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-csfle-pii-'));
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

async function masterKeyOf(dbName: string, privateKey: string): Promise<Uint8Array> {
  const store = new MongoCapsuleStore({ uri: server!.uri, dbName });
  try {
    return (await KeyVault.open({ store, privateKey })).masterKey;
  } finally {
    await store.close();
  }
}

const native = (await csfleStatus()).available;
const skipMongo = mongoSkipReason === undefined ? '' : ` (${mongoSkipReason})`;

describe.skipIf(mongoSkipReason !== undefined)(`mongodb mode PII encryption${skipMongo}`, () => {
  it.skipIf(python === undefined && !inCi)(
    'real libmongocrypt decrypts the PII a registration wrote and finds the user by its deterministic email (needs .tools/venv-csfle or CITY_CSFLE_PYTHON with pymongo + pymongocrypt)',
    async () => {
      const dbName = `city_pii_${randomUUID().slice(0, 8)}`;
      const pair = await generateKemKeyPair();
      const runtime = await openAuthFromConfig({
        mode: 'mongodb',
        uri: server!.uri,
        dbName,
        secretsDir: tempDir(),
        rootKey: { pem: formatKemPrivateKeyPem(pair.privateKey) },
        piiEncryption: 'csfle',
      });
      const body = newUserBody();
      let uuid: string;
      try {
        expect(runtime.describe.pii).toMatch(
          /^MongoDB CSFLE \(AEAD_AES_256_CBC_HMAC_SHA_512; deterministic: email, mynumber;/,
        );
        expect(runtime.describe.pii).toContain(`data keys in ${dbName}.keyvault_datakeys`);
        expect(runtime.describe.pii).toContain(
          native ? 'native module loaded' : 'mongodb-client-encryption native module not loaded',
        );
        ({ uuid } = await runtime.auth.register(body));
      } finally {
        await runtime.close();
      }
      const master = await masterKeyOf(dbName, pair.privateKey);
      const answer = await runLibmongocryptPeer({
        uri: server!.uri,
        keyVaultNamespace: `${dbName}.keyvault_datakeys`,
        masterKeyHex: Buffer.from(master).toString('hex'),
        database: dbName,
        collection: 'users',
        ids: [uuid],
        within: 'encrypted',
        fields: ['email', 'name', 'birth_date', 'address', 'phone'],
        keyAltName: 'city-users-email',
        findBy: { field: 'encrypted.email', value: String(body.email) },
      });
      master.fill(0);
      expect(answer.libmongocrypt).toMatch(/^\d+\.\d+/);
      // The peer decrypts only values stored as CSFLE ciphertexts (BSON binary subtype 6).
      expect(answer.documents).toEqual([
        {
          _id: uuid,
          email: body.email,
          name: body.name,
          birth_date: body.birth_date,
          address: body.address,
          phone: '+819012345678', // the registration stores phone numbers in E.164
        },
      ]);
      expect(answer.found).toEqual([uuid]);
    },
  );

  it('CSFLE data keys created under another master key stop the start with SECRETS_MISMATCH naming the collection', async () => {
    const [dbA, dbB] = [`city_pii_${randomUUID().slice(0, 8)}`, `city_pii_${randomUUID().slice(0, 8)}`];
    const dirA = tempDir();
    const open = (dbName: string, secretsDir: string) =>
      openAuthFromConfig({ mode: 'mongodb', uri: server!.uri, dbName, secretsDir, piiEncryption: 'csfle' });
    await (await open(dbA, dirA)).close();
    await (await open(dbB, tempDir())).close();
    const stores = await createMongoStores({
      uri: server!.uri,
      dbName: dbA,
      notifier: { publish: async () => undefined },
    });
    try {
      // dbA's key vault collection now holds dbB's data keys (same alt names, another master key).
      const foreign = await stores.db.client.db(dbB).collection('keyvault_datakeys').find().toArray();
      await stores.db.collection('keyvault_datakeys').deleteMany({});
      await stores.db.collection('keyvault_datakeys').insertMany(foreign);
    } finally {
      await stores.close();
    }
    const error = await open(dbA, dirA).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretsError);
    expect(error).toMatchObject({ code: 'SECRETS_MISMATCH' });
    expect((error as SecretsError).message).toContain(
      `the CSFLE data keys in ${dbA}.keyvault_datakeys do not open`,
    );
  });

  it('auto: without the native module the field cipher stays and the start-up line says so; once CSFLE keys exist, CSFLE stays; both formats stay readable', async () => {
    const dbName = `city_pii_${randomUUID().slice(0, 8)}`;
    const pem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const open = (piiEncryption?: 'csfle' | 'field-cipher') =>
      openAuthFromConfig({
        mode: 'mongodb',
        uri: server!.uri,
        dbName,
        secretsDir: tempDir(),
        rootKey: { pem },
        ...(piiEncryption === undefined ? {} : { piiEncryption }),
      });
    const storedEmail = async (uuid: string): Promise<unknown> => {
      const stores = await createMongoStores({
        uri: server!.uri,
        dbName,
        notifier: { publish: async () => undefined },
      });
      try {
        const doc = await stores.db.collection('users').findOne({ _id: uuid as never });
        return (doc as unknown as { encrypted: { email: unknown } }).encrypted.email;
      } finally {
        await stores.close();
      }
    };
    const login = (
      runtime: Awaited<ReturnType<typeof open>>,
      reg: { uuid: string; deviceId: string; privateKeyPem?: string },
    ) =>
      loginWithSignature(runtime.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });

    const first = await open();
    const oldBody = newUserBody();
    const old = await first.auth.register(oldBody);
    if (native) {
      expect(first.describe.pii).toMatch(/^MongoDB CSFLE/);
    } else {
      expect(first.describe.pii).toBe(
        "field cipher (AES-256-GCM under the key vault's pii data key); MongoDB CSFLE not used: mongodb-client-encryption native module not loaded",
      );
      expect(await storedEmail(old.uuid)).toMatch(/^f1\./);
    }
    await first.close();

    const csfle = await open('csfle');
    // The profile written with the field cipher is rewritten into CSFLE on this start (once).
    expect(csfle.describe.piiMigrated).toBe(
      native ? undefined : '1 user profile(s) rewritten into CSFLE format',
    );
    expect((await storedEmail(old.uuid)) as { sub_type: number }).toMatchObject({ sub_type: 6 });
    const newBody = newUserBody();
    const fresh = await csfle.auth.register(newBody);
    expect((await storedEmail(fresh.uuid)) as { sub_type: number }).toMatchObject({ sub_type: 6 });
    expect((await login(csfle, old)).user.email).toBe(oldBody.email);
    await csfle.close();

    // auto after CSFLE keys exist: CSFLE, whatever the native module.
    const again = await open();
    expect(again.describe.pii).toMatch(/^MongoDB CSFLE/);
    expect(again.describe.piiMigrated).toBeUndefined();
    expect((await login(again, fresh)).user.email).toBe(newBody.email);
    await again.close();

    // field-cipher chosen again: writes f1, still reads the CSFLE values.
    const back = await open('field-cipher');
    expect(back.describe.pii).toMatch(/CSFLE values written before are read/);
    expect((await login(back, fresh)).user.email).toBe(newBody.email);
    const later = await back.auth.register(newUserBody());
    expect(await storedEmail(later.uuid)).toMatch(/^f1\./);
    await back.close();
  });
});
