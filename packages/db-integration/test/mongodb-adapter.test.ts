/**
 * MongoDB adapter specifics beyond the shared contract: operator-injection defence, storable
 * keys, idempotent index creation, FerretDB/TTL detection, unreachable servers, capsules.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type MongoServer, startMongoServer } from '@city/dev-engines';
import type { Notifier } from '@city/ports';
import { Binary } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongoStores, type MongoStores } from '../src/mongodb/create-mongo-stores.js';
import { MongoCapsuleStore } from '../src/mongodb/mongo-capsule-store.js';
import { makeUser } from './contract/store-contract.js';
import { inCi } from './helpers/availability.js';
import { freePort } from './helpers/free-port.js';

const notifier: Notifier = { publish: async () => undefined };
const started = await startMongoServer().catch((error: unknown) => error as Error);
const server: MongoServer | undefined = started instanceof Error ? undefined : started;
const opened: MongoStores[] = [];

async function open(dbName = `city_adapter_${randomUUID().slice(0, 8)}`): Promise<MongoStores> {
  if (server === undefined) throw started;
  const stores = await createMongoStores({ uri: server.uri, dbName, notifier });
  opened.push(stores);
  return stores;
}

afterAll(async () => {
  for (const stores of opened) {
    await stores.db.dropDatabase().catch(() => undefined);
    await stores.close();
  }
  await server?.stop();
});

describe('createMongoStores without a server', () => {
  it('answers StoreUnavailableError when nothing listens on the port', async () => {
    const port = await freePort();
    await expect(
      createMongoStores({
        uri: `mongodb://127.0.0.1:${port}/`,
        dbName: 'city',
        notifier,
        serverSelectionTimeoutMS: 300,
      }),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('refuses bad configuration with INVALID_ARGUMENT naming the parameter', async () => {
    const bad = [
      { dbName: 'a.b', notifier, uri: 'mongodb://127.0.0.1:1/' },
      { dbName: 'city', collectionPrefix: '$x', notifier, uri: 'mongodb://127.0.0.1:1/' },
      { dbName: 'city', uri: 'mongodb://127.0.0.1:1/' },
      { dbName: 'city', notifier },
    ];
    for (const config of bad) {
      await expect(createMongoStores(config as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});

// Reason when skipped: no MongoDB server — set MONGODB_URI or install FerretDB v1 (MONGO_INSTALL_HINT).
describe.skipIf(server === undefined && !inCi)('mongodb adapter (needs MONGODB_URI or FerretDB v1)', () => {
  it('operator injection: object filter values are refused before any query', async () => {
    const stores = await open();
    const victim = makeUser();
    await stores.users.create(victim);
    const hostile = [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, ['x'], 1, null];
    for (const value of hostile) {
      await expect(stores.users.getByUsernameKey(value as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        parameter: 'usernameKey',
      });
      await expect(stores.users.getByEmailIndex(value as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(stores.devices.getByFingerprint(value as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(stores.pairingTokens.consume(value as never, Date.now())).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(stores.revocations.isRevoked(value as never, Date.now())).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    await expect(stores.users.update(victim.uuid, {}, { $gt: 0 } as never, Date.now())).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
    expect(await stores.users.getByUuid(victim.uuid)).toEqual(victim);
  });

  it('operator injection: a forged cursor cannot carry an operator', async () => {
    const stores = await open();
    const forged = Buffer.from(JSON.stringify([{ $gt: '' }])).toString('base64url');
    await expect(stores.users.list({ limit: 5, cursor: forged })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    const auditForged = Buffer.from(JSON.stringify([{ $lt: 1 }, 'x'])).toString('base64url');
    await expect(stores.audit.list({ limit: 5, cursor: auditForged })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(stores.audit.list({ limit: 5, cursor: 'not base64!' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });

  it('refuses keys and strings a document cannot hold ($-keys, dots, NUL)', async () => {
    const stores = await open();
    const hostileMaps: Record<string, string>[] = [
      { $where: 'x' },
      { 'a.b': 'x' },
      { email: 'nul\u0000byte' },
    ];
    for (const encrypted of hostileMaps) {
      await expect(stores.users.create(makeUser({ encrypted }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    await expect(stores.users.create(makeUser({ usernameKey: 'a\u0000b' }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('stores audit details with any key as data, not as document keys', async () => {
    const stores = await open();
    const event = {
      eventId: randomUUID(),
      type: 'security_alert' as const,
      at: Date.now(),
      detail: { $where: 'x', 'a.b': 1, ok: true },
    };
    await stores.audit.append(event);
    expect((await stores.audit.list({ limit: 1 })).items).toEqual([event]);
  });

  it('creates indexes idempotently (a second start on the same database changes nothing)', async () => {
    const dbName = `city_idem_${randomUUID().slice(0, 8)}`;
    const first = await open(dbName);
    const indexes = async () =>
      (await first.db.collection('users').listIndexes().toArray()).map((index) => index.name).sort();
    const before = await indexes();
    const second = await open(dbName);
    expect(await indexes()).toEqual(before);
    expect(before).toEqual(['_id_', 'uniq_emailIndex', 'uniq_mynumberKey', 'uniq_usernameKey']);
    const user = makeUser();
    await second.users.create(user);
    expect(await first.users.getByUuid(user.uuid)).toEqual(user);
  });

  it('creates TTL indexes only where the server supports them', async () => {
    const stores = await open();
    const now = Date.now();
    await stores.pairingTokens.create({
      tokenHash: randomBytes(32).toString('hex'),
      userUuid: randomUUID(),
      parentDeviceId: randomUUID(),
      createdAt: now,
      expiresAt: now + 60_000,
    });
    const names = (await stores.db.collection('pairing_tokens').listIndexes().toArray()).map((i) => i.name);
    expect(stores.ttlIndexes).toBe(!stores.ferretdb);
    expect(names.includes('ttl_expireAt')).toBe(stores.ttlIndexes);
  });

  it('answers StoreUnavailableError after the server went away', async () => {
    if (server === undefined) throw started;
    // A private server, so stopping it does not disturb the other tests (MONGODB_URI servers are never stopped).
    const own = server.kind === 'uri' ? undefined : await startMongoServer();
    if (own === undefined) return;
    const stores = await createMongoStores({ uri: own.uri, dbName: 'city', notifier });
    await stores.users.ping();
    await own.stop();
    await expect(stores.users.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(stores.users.getByUuid(randomUUID())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await stores.close();
  });

  it('keeps key-vault capsules in a collection (MongoCapsuleStore)', async () => {
    if (server === undefined) throw started;
    const dbName = `city_caps_${randomUUID().slice(0, 8)}`;
    const store = new MongoCapsuleStore({ uri: server.uri, dbName });
    const capsule = new Uint8Array(randomBytes(1234));
    expect(await store.read('master')).toBeUndefined();
    await store.write('master', capsule);
    expect(await store.read('master')).toEqual(capsule);
    const rewrapped = new Uint8Array(randomBytes(99));
    await store.write('master', rewrapped);
    expect(await store.read('master')).toEqual(rewrapped);
    expect(store.describe()).toBe(`mongodb:${dbName}.keyvault_capsules`);
    expect(store.describe()).not.toContain('mongodb://');
    await expect(store.write('master', 'text' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.read({ $ne: null } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await store.close();
  });

  it('stores CSFLE-format fields (fle1.) as BinData subtype 6 and reads them back as the same strings', async () => {
    const stores = await open();
    const payload = randomBytes(82);
    const csfle = `fle1.${payload.toString('base64url')}`;
    const user = makeUser({ encrypted: { email: csfle, name: 'f1.kid.nonce.ct' } });
    await stores.users.create(user);
    const raw = await stores.db.collection('users').findOne({ _id: user.uuid as never });
    const stored = (raw as unknown as { encrypted: Record<string, unknown> }).encrypted;
    expect(stored.email).toBeInstanceOf(Binary);
    expect((stored.email as Binary).sub_type).toBe(6);
    expect(Buffer.from((stored.email as Binary).buffer)).toEqual(payload);
    expect(stored.name).toBe('f1.kid.nonce.ct');
    expect((await stores.users.getByUuid(user.uuid))?.encrypted).toEqual(user.encrypted);
    const updated = await stores.users.update(
      user.uuid,
      { encrypted: { phone: csfle } },
      user.version,
      Date.now(),
    );
    expect(updated.encrypted).toEqual({ phone: csfle });
  });

  it('creates a capsule once when two instances race for it (MongoCapsuleStore.writeIfAbsent)', async () => {
    if (server === undefined) throw started;
    const dbName = `city_caps_${randomUUID().slice(0, 8)}`;
    const a = new MongoCapsuleStore({ uri: server.uri, dbName });
    const b = new MongoCapsuleStore({ uri: server.uri, dbName });
    const [mine, theirs] = [new Uint8Array(randomBytes(64)), new Uint8Array(randomBytes(64))];
    const won = await Promise.all([a.writeIfAbsent('master', mine), b.writeIfAbsent('master', theirs)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await a.read('master')).toEqual(won[0] ? mine : theirs);
    // A later create never replaces what is stored.
    expect(await b.writeIfAbsent('master', new Uint8Array(randomBytes(64)))).toBe(false);
    expect(await b.read('master')).toEqual(won[0] ? mine : theirs);
    await expect(a.writeIfAbsent('master', 'text' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await a.close();
    await b.close();
  });
});
