/**
 * MongoDB CSFLE glue. The round trip needs the native mongodb-client-encryption module and a MongoDB
 * server (MONGODB_URI); it is on the CI allow-list because the module cannot be installed on these
 * machines. The CSFLE_UNAVAILABLE path is proved wherever the module is missing.
 */
import { describe, expect, it } from 'vitest';
import { createCsfleDataKey } from '../src/create-csfle-data-key.js';
import { createEncryptedCollection } from '../src/create-encrypted-collection.js';
import { csfleOptions } from '../src/csfle-options.js';
import { KeyVault } from '../src/key-vault.js';
import { loadClientEncryption } from '../src/lib/_load-client-encryption.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const clientEncryptionLoads = await loadClientEncryption().then(
  () => true,
  () => false,
);
const mongoUri = process.env.MONGODB_URI;

describe('csfleOptions', async () => {
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });

  it('gives the local KMS provider the 96-byte master key', () => {
    const options = csfleOptions(vault, { keyVaultNamespace: 'encryption.__keyVault' });
    expect(options.keyVaultNamespace).toBe('encryption.__keyVault');
    expect(options.kmsProviders.local.key).toBeInstanceOf(Buffer);
    expect(new Uint8Array(options.kmsProviders.local.key)).toEqual(vault.masterKey);
  });

  it('rejects a bad namespace', async () => {
    for (const keyVaultNamespace of ['', 'nodot', '.x', 'db.', 'a b.c', 'a$b.c']) {
      await expectCode(() => csfleOptions(vault, { keyVaultNamespace }), 'INVALID_ARGUMENT');
    }
  });
});

describe('CSFLE unavailable', () => {
  it('a module that cannot be loaded gives CSFLE_UNAVAILABLE naming the module and how to install it', async () => {
    const error = await expectCode(
      loadClientEncryption('mongodb-client-encryption-not-installed'),
      'CSFLE_UNAVAILABLE',
    );
    expect(error.message).toMatch(
      /native module "mongodb-client-encryption-not-installed" could not be loaded/,
    );
    expect(error.message).toMatch(/pnpm add mongodb-client-encryption/);
  });

  it.skipIf(clientEncryptionLoads)(
    'createCsfleDataKey / createEncryptedCollection throw CSFLE_UNAVAILABLE here (skips only where mongodb-client-encryption loads; the round trip covers that case)',
    async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient('mongodb://127.0.0.1:1', { serverSelectionTimeoutMS: 100 });
      const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
      const keyVaultNamespace = 'encryption.__keyVault';
      const error = await expectCode(
        createCsfleDataKey({ client, vault, keyVaultNamespace }),
        'CSFLE_UNAVAILABLE',
      );
      expect(error.message).toMatch(/native module "mongodb-client-encryption" could not be loaded/);
      const { Binary } = await import('mongodb');
      await expectCode(
        createEncryptedCollection({
          client,
          vault,
          keyVaultNamespace,
          database: 'city',
          collection: 'users',
          dataKeyId: new Binary(Buffer.alloc(16), 4),
          fields: { email: 'deterministic' },
        }),
        'CSFLE_UNAVAILABLE',
      );
      await client.close();
    },
  );
});

describe.skipIf(!clientEncryptionLoads || mongoUri === undefined)(
  'CSFLE round trip (needs mongodb-client-encryption native module + MONGODB_URI; CI allow-list)',
  () => {
    it('encrypts deterministic and random fields, queries by the deterministic one, decrypts on read', async () => {
      const { MongoClient, Binary } = await import('mongodb');
      const client = new MongoClient(mongoUri ?? '');
      await client.connect();
      try {
        const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
        const database = `city_csfle_${Date.now()}`;
        const keyVaultNamespace = `${database}.__keyVault`;
        const dataKeyId = await createCsfleDataKey({
          client,
          vault,
          keyVaultNamespace,
          keyAltNames: ['pii'],
        });
        const users = await createEncryptedCollection({
          client,
          vault,
          keyVaultNamespace,
          database,
          collection: 'users',
          dataKeyId,
          fields: { email: 'deterministic', address: 'random' },
        });
        await users.insertOne({ _id: 'u1', email: 'alice@example.org', address: 'Tokyo', plain: 1 });
        const raw = await users.raw.findOne({ _id: 'u1' } as never);
        expect(raw?.email).toBeInstanceOf(Binary);
        expect(raw?.address).toBeInstanceOf(Binary);
        expect(await users.findOne({ email: 'alice@example.org' })).toEqual({
          _id: 'u1',
          email: 'alice@example.org',
          address: 'Tokyo',
          plain: 1,
        });
        await expectCode(users.findOne({ address: 'Tokyo' }), 'INVALID_ARGUMENT');
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    }, 60_000);
  },
);
