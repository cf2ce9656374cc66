/**
 * DeviceStore on a MongoDB collection.
 *
 * Layout: `_id` = JSON of `[userUuid, deviceId]` (unambiguous whatever characters the ids
 * hold), unique index `uniq_fingerprint` (a certificate belongs to one device), index
 * `by_user` for listing a user's devices. Revocation and renewal are single conditional
 * `findOneAndUpdate`s on `status: 'active'` (renewal also on the expected serial number), so a
 * revoked device can never be renewed by a racing request and of concurrent renewals starting
 * from one certificate exactly one wins.
 *
 * Growth: one document per device ever registered, revoked ones included (they keep their
 * fingerprint in the unique index); there is no per-user cap of revoked devices here (the SQLite
 * store has one) and no TTL. The collection grows with the devices users enrol, not with logins.
 */
import {
  ConflictError,
  type DeviceCertificateUpdate,
  type DeviceRecord,
  type DeviceStore,
  NotFoundError,
} from '@city/ports';
import type { Collection } from 'mongodb';
import { optionalNumber, optionalString, requireNumber, requireOneOf, requireString } from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import type { WriteSerializer } from './_serialize-writes.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = {
  _id: 'deviceId',
  uniq_fingerprint: 'fingerprint',
  fingerprint: 'fingerprint',
};

/** The stored form of a device. */
export interface DeviceDocument {
  _id: string;
  userUuid: string;
  deviceId: string;
  fingerprint: string;
  serialNumber: string;
  certificatePem: string;
  algorithm: string;
  certificateKey: string;
  label?: string;
  status: 'active' | 'revoked';
  createdAt: number;
  notAfter: number;
  revokedAt?: number;
  pairedFromDeviceId?: string;
}

/** Creates the device collection's indexes (idempotent). */
export async function createDeviceIndexes(collection: Collection<DeviceDocument>): Promise<void> {
  await collection.createIndex({ fingerprint: 1 }, { name: 'uniq_fingerprint', unique: true });
  await collection.createIndex({ userUuid: 1, createdAt: 1 }, { name: 'by_user' });
}

/** DeviceStore backed by MongoDB. */
export class MongoDeviceStore implements DeviceStore {
  readonly #devices: Collection<DeviceDocument>;
  readonly #serialize: WriteSerializer;

  constructor(collection: Collection<DeviceDocument>, serialize: WriteSerializer) {
    this.#devices = collection;
    this.#serialize = serialize;
  }

  async create(device: DeviceRecord): Promise<void> {
    const doc = toDocument(device);
    await withMongoErrors(
      UNIQUE_FIELDS,
      () => this.#devices.insertOne(doc),
      async () =>
        (await this.#devices.findOne({ _id: doc._id }, { projection: { _id: 1 } }))
          ? 'deviceId'
          : 'fingerprint',
    );
  }

  async get(userUuid: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const id = deviceKey(userUuid, deviceId);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#devices.findOne({ _id: id }));
    return doc ? toRecord(doc) : undefined;
  }

  async getByFingerprint(fingerprint: string): Promise<DeviceRecord | undefined> {
    const value = requireString('fingerprint', fingerprint, 256);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#devices.findOne({ fingerprint: value }));
    return doc ? toRecord(doc) : undefined;
  }

  async listByUser(userUuid: string): Promise<readonly DeviceRecord[]> {
    const user = requireString('userUuid', userUuid, 256);
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#devices.find({ userUuid: user }).sort({ createdAt: 1, _id: 1 }).toArray(),
    );
    return docs.map(toRecord);
  }

  async revoke(userUuid: string, deviceId: string, at: number): Promise<DeviceRecord> {
    const id = deviceKey(userUuid, deviceId);
    const revokedAt = requireNumber('at', at);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`devices:${id}`, () =>
        this.#devices.findOneAndUpdate(
          { _id: id, status: 'active' },
          { $set: { status: 'revoked', revokedAt } },
          { returnDocument: 'after' },
        ),
      ),
    );
    if (!doc) throw new NotFoundError('device not found or already revoked');
    return toRecord(doc);
  }

  async replaceCertificate(
    userUuid: string,
    deviceId: string,
    update: DeviceCertificateUpdate,
  ): Promise<DeviceRecord> {
    const id = deviceKey(userUuid, deviceId);
    if (typeof update !== 'object' || update === null) {
      throw new MongoInputError('update', '"update" expected an object');
    }
    const expectedSerialNumber = requireString(
      'update.expectedSerialNumber',
      update.expectedSerialNumber,
      256,
    );
    const set = {
      fingerprint: requireString('update.fingerprint', update.fingerprint, 256),
      serialNumber: requireString('update.serialNumber', update.serialNumber, 256),
      certificatePem: requireString('update.certificatePem', update.certificatePem),
      certificateKey: requireString('update.certificateKey', update.certificateKey, 1024),
      notAfter: requireNumber('update.notAfter', update.notAfter),
    };
    // Compare-and-set on the serial: the filter is the condition, atomic on MongoDB; FerretDB's
    // read-modify-write is made exclusive per document by the serialiser. The only unique value
    // an update can clash on is the fingerprint.
    const outcome = await withMongoErrors(
      UNIQUE_FIELDS,
      () =>
        this.#serialize(`devices:${id}`, async () => {
          const doc = await this.#devices.findOneAndUpdate(
            { _id: id, status: 'active', serialNumber: expectedSerialNumber },
            { $set: set },
            { returnDocument: 'after' },
          );
          if (doc) return doc;
          // Inside the serialised section, so the reason read is the one that refused the update.
          const current = await this.#devices.findOne({ _id: id }, { projection: { status: 1 } });
          return current?.status === 'active' ? 'stale' : 'missing';
        }),
      async () => 'fingerprint',
    );
    if (outcome === 'missing') throw new NotFoundError('device not found or revoked');
    if (outcome === 'stale') {
      throw new ConflictError('serialNumber', 'the device certificate is no longer the expected one');
    }
    return toRecord(outcome);
  }
}

function deviceKey(userUuid: unknown, deviceId: unknown): string {
  return JSON.stringify([requireString('userUuid', userUuid, 256), requireString('deviceId', deviceId, 256)]);
}

function toDocument(device: DeviceRecord): DeviceDocument {
  if (typeof device !== 'object' || device === null) {
    throw new MongoInputError('device', '"device" expected an object');
  }
  const userUuid = requireString('device.userUuid', device.userUuid, 256);
  const deviceId = requireString('device.deviceId', device.deviceId, 256);
  const label = optionalString('device.label', device.label, 1024);
  const revokedAt = optionalNumber('device.revokedAt', device.revokedAt);
  const pairedFromDeviceId = optionalString('device.pairedFromDeviceId', device.pairedFromDeviceId, 256);
  return {
    _id: JSON.stringify([userUuid, deviceId]),
    userUuid,
    deviceId,
    fingerprint: requireString('device.fingerprint', device.fingerprint, 256),
    serialNumber: requireString('device.serialNumber', device.serialNumber, 256),
    certificatePem: requireString('device.certificatePem', device.certificatePem),
    algorithm: requireString('device.algorithm', device.algorithm, 64),
    certificateKey: requireString('device.certificateKey', device.certificateKey, 1024),
    ...(label === undefined ? {} : { label }),
    status: requireOneOf('device.status', device.status, ['active', 'revoked'] as const),
    createdAt: requireNumber('device.createdAt', device.createdAt),
    notAfter: requireNumber('device.notAfter', device.notAfter),
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(pairedFromDeviceId === undefined ? {} : { pairedFromDeviceId }),
  };
}

function toRecord(doc: DeviceDocument): DeviceRecord {
  return {
    deviceId: doc.deviceId,
    userUuid: doc.userUuid,
    fingerprint: doc.fingerprint,
    serialNumber: doc.serialNumber,
    certificatePem: doc.certificatePem,
    algorithm: doc.algorithm,
    certificateKey: doc.certificateKey,
    ...(typeof doc.label === 'string' ? { label: doc.label } : {}),
    status: doc.status,
    createdAt: doc.createdAt,
    notAfter: doc.notAfter,
    ...(typeof doc.revokedAt === 'number' ? { revokedAt: doc.revokedAt } : {}),
    ...(typeof doc.pairedFromDeviceId === 'string' ? { pairedFromDeviceId: doc.pairedFromDeviceId } : {}),
  };
}
