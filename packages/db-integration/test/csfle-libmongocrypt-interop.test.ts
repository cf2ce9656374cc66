/**
 * CSFLE interoperability with real libmongocrypt. The key vault's capsule lives in MongoDB
 * (MongoCapsuleStore); the NTRU-unwrapped 96-byte master key is the `local` KMS key; this project
 * writes a data key to the key-vault collection and deterministic and random encrypted fields to a
 * collection on the wire server (FerretDB here). Then libmongocrypt — pymongo's ClientEncryption
 * over pymongocrypt, in a Python virtual environment — finds the data key by its alt name,
 * decrypts every field, and encrypts values for the other direction: its deterministic ciphertext
 * must equal ours byte for byte, and we must decrypt its random one.
 *
 * The peer and the Python it needs: @city/dev-engines' runLibmongocryptPeer (`CITY_CSFLE_PYTHON`, else
 * `<repo>/.tools/venv-csfle/bin/python`; .ci/run creates it).
 */
import { randomUUID } from 'node:crypto';
import {
  libmongocryptPython,
  type MongoServer,
  runLibmongocryptPeer,
  startMongoServer,
} from '@city/dev-engines';
import {
  createCsfleDataKey,
  createCsfleLocalDataKey,
  createEncryptedCollection,
  decryptCsfleString,
  encryptCsfleString,
  KeyVault,
  unwrapCsfleLocalDataKey,
} from '@city/ntru-keyvault';
import { Binary, MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoCapsuleStore } from '../src/mongodb/mongo-capsule-store.js';
import { inCi } from './helpers/availability.js';

const python = libmongocryptPython();

// Without the Python peer the suite is skipped, and vitest runs no afterAll of a file whose tests
// are all skipped: a server started anyway would outlive the run.
const started =
  python !== undefined || inCi
    ? await startMongoServer().catch((error: unknown) => error as Error)
    : new Error('no Python with pymongo + pymongocrypt');
const server: MongoServer | undefined = started instanceof Error ? undefined : started;
afterAll(async () => {
  await server?.stop();
});

describe.skipIf((server === undefined || python === undefined) && !inCi)(
  'CSFLE with real libmongocrypt (needs MONGODB_URI or FerretDB v1, and Python with pymongo + pymongocrypt in .tools/venv-csfle or CITY_CSFLE_PYTHON)',
  () => {
    it('libmongocrypt finds our data key, decrypts our fields, and we read its ciphertexts', async () => {
      if (server === undefined) throw started;
      const dbName = `city_csfle_${randomUUID().slice(0, 8)}`;
      const client = new MongoClient(server.uri);
      const capsules = new MongoCapsuleStore({ client, dbName });
      try {
        // The capsule lives in MongoDB; reopening it with the KEM private key unwraps the same master key.
        const { vault, kemKeyPair } = await KeyVault.init({ store: capsules });
        const reopened = await KeyVault.open({ store: capsules, privateKey: kemKeyPair.privateKey });
        expect(reopened.masterKey).toEqual(vault.masterKey);
        expect(vault.masterKey).toHaveLength(96);

        const { document, dataKey } = createCsfleLocalDataKey(reopened.masterKey, { keyAltNames: ['pii'] });
        const keyVault = client.db(dbName).collection('__keyVault');
        await keyVault.insertOne({
          ...document,
          _id: new Binary(document._id, Binary.SUBTYPE_UUID),
          keyMaterial: new Binary(document.keyMaterial),
          keyAltNames: ['pii'],
        } as never);
        const stored = await keyVault.findOne({ keyAltNames: 'pii' });
        expect(stored).not.toBeNull();
        const keyMaterial = (stored as unknown as { keyMaterial: Binary }).keyMaterial.buffer;
        expect(unwrapCsfleLocalDataKey(vault.masterKey, keyMaterial)).toEqual(dataKey);

        const people = client.db(dbName).collection<Record<string, unknown>>('people');
        const plain = [
          { _id: 'u1', email: 'alice@example.org', address: '東京都千代田区 1-1', name: 'Alice' },
          { _id: 'u2', email: 'bob@example.org', address: 'Osaka', name: 'Bob' },
        ];
        const field = (value: string, algorithm: 'deterministic' | 'random') =>
          new Binary(encryptCsfleString(dataKey, document._id, value, algorithm), 6);
        for (const person of plain) {
          await people.insertOne({
            _id: person._id,
            email: field(person.email, 'deterministic'),
            address: field(person.address, 'random'),
            name: person.name,
          } as never);
        }
        // Deterministic where looked up: the same value gives the same ciphertext, found by equality.
        const found = await people.findOne({ email: field('bob@example.org', 'deterministic') });
        expect(found?._id).toBe('u2');

        const answer = await runLibmongocryptPeer({
          uri: server.uri,
          keyVaultNamespace: `${dbName}.__keyVault`,
          masterKeyHex: Buffer.from(vault.masterKey).toString('hex'),
          database: dbName,
          collection: 'people',
          fields: ['email', 'address'],
          keyAltName: 'pii',
          encrypt: [
            { value: 'alice@example.org', algorithm: 'deterministic' },
            { value: '大阪府 2-2', algorithm: 'random' },
          ],
        });
        expect(answer.libmongocrypt).toMatch(/^\d+\.\d+/);
        expect(answer.keyIdHex).toBe(Buffer.from(document._id).toString('hex'));
        expect(answer.documents).toEqual(plain.map(({ _id, email, address }) => ({ _id, email, address })));

        const [deterministic, random] = answer.encrypted.map(
          (b64) => new Uint8Array(Buffer.from(b64, 'base64')),
        );
        expect(Buffer.from(deterministic!)).toEqual(
          Buffer.from(encryptCsfleString(dataKey, document._id, 'alice@example.org', 'deterministic')),
        );
        expect(decryptCsfleString(dataKey, deterministic!)).toBe('alice@example.org');
        expect(decryptCsfleString(dataKey, random!)).toBe('大阪府 2-2');
      } finally {
        await client
          .db(dbName)
          .dropDatabase()
          .catch(() => undefined);
        await client.close();
      }
    }, 120_000);

    it('createCsfleDataKey + createEncryptedCollection: deterministic lookups, random elsewhere, libmongocrypt reads them', async () => {
      if (server === undefined) throw started;
      const dbName = `city_csfle_${randomUUID().slice(0, 8)}`;
      const client = new MongoClient(server.uri);
      try {
        const { vault } = await KeyVault.init({ store: new MongoCapsuleStore({ client, dbName }) });
        const keyVaultNamespace = `${dbName}.__keyVault`;
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
          database: dbName,
          collection: 'users',
          dataKeyId,
          fields: { email: 'deterministic', address: 'random' },
        });
        await users.insertOne({ _id: 'u1', email: 'alice@example.org', address: 'Tokyo', plain: 1 });
        await users.insertOne({ _id: 'u2', email: 'bob@example.org', address: 'Osaka', plain: 2 });
        const raw: Record<string, unknown> = (await users.raw.findOne({ _id: 'u1' } as never)) ?? {};
        expect(raw.email).toBeInstanceOf(Binary);
        expect((raw.email as Binary).sub_type).toBe(6);
        expect((raw.address as Binary).sub_type).toBe(6);
        expect(JSON.stringify(raw)).not.toContain('alice');
        expect(await users.findOne({ email: 'alice@example.org' })).toEqual({
          _id: 'u1',
          email: 'alice@example.org',
          address: 'Tokyo',
          plain: 1,
        });
        expect((await users.find({ email: 'bob@example.org' })).map((d) => d._id)).toEqual(['u2']);
        await expect(users.findOne({ address: 'Tokyo' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

        const answer = await runLibmongocryptPeer({
          uri: server.uri,
          keyVaultNamespace,
          masterKeyHex: Buffer.from(vault.masterKey).toString('hex'),
          database: dbName,
          collection: 'users',
          fields: ['email', 'address'],
          keyAltName: 'pii',
        });
        expect(answer.documents).toEqual([
          { _id: 'u1', email: 'alice@example.org', address: 'Tokyo' },
          { _id: 'u2', email: 'bob@example.org', address: 'Osaka' },
        ]);
        expect(answer.keyIdHex).toBe(Buffer.from(dataKeyId.buffer).toString('hex'));
      } finally {
        await client
          .db(dbName)
          .dropDatabase()
          .catch(() => undefined);
        await client.close();
      }
    }, 120_000);

    it('libmongocrypt refuses our fields under another master key', async () => {
      if (server === undefined) throw started;
      const dbName = `city_csfle_${randomUUID().slice(0, 8)}`;
      const client = new MongoClient(server.uri);
      try {
        const { vault } = await KeyVault.init({ store: new MongoCapsuleStore({ client, dbName }) });
        const { document, dataKey } = createCsfleLocalDataKey(vault.masterKey, { keyAltNames: ['pii'] });
        await client
          .db(dbName)
          .collection('__keyVault')
          .insertOne({
            ...document,
            _id: new Binary(document._id, Binary.SUBTYPE_UUID),
            keyMaterial: new Binary(document.keyMaterial),
            keyAltNames: ['pii'],
          } as never);
        await client
          .db(dbName)
          .collection('people')
          .insertOne({
            _id: 'u1',
            email: new Binary(encryptCsfleString(dataKey, document._id, 'a@example.org', 'random'), 6),
          } as never);
        const other = Buffer.from(vault.masterKey.map((b) => b ^ 0xff));
        await expect(
          runLibmongocryptPeer({
            uri: server.uri,
            keyVaultNamespace: `${dbName}.__keyVault`,
            masterKeyHex: other.toString('hex'),
            database: dbName,
            collection: 'people',
            fields: ['email'],
            keyAltName: 'pii',
          }),
        ).rejects.toThrow(/libmongocrypt peer exited/);
      } finally {
        await client
          .db(dbName)
          .dropDatabase()
          .catch(() => undefined);
        await client.close();
      }
    }, 120_000);
  },
);
