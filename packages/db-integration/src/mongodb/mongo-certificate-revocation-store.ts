/**
 * CertificateRevocationStore on MongoDB: `_id` = certificate serial; adding a serial twice
 * keeps the first entry (insert-only, duplicates ignored), listing sorted by revocation time.
 *
 * Growth: entries are kept for good (no TTL; an entry's `notAfter` is not stored here), one per
 * revoked or superseded certificate. The SQLite store removes entries of long-expired certificates.
 */
import type { CertificateRevocationStore, RevokedCertificateRecord } from '@city/ports';
import type { Collection } from 'mongodb';
import { optionalString, requireNumber, requireString } from './_guards.js';
import {
  isDuplicateKeyError,
  toPortError,
  type UniqueFieldNames,
  withMongoErrors,
} from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'serialNumber' };

/** The stored form of a revoked certificate. */
export interface RevokedCertificateDocument {
  _id: string;
  userUuid: string;
  deviceId: string;
  revokedAt: number;
  reason?: string;
}

/** Creates the index used to list revocations in order (idempotent). */
export async function createCertificateRevocationIndexes(
  collection: Collection<RevokedCertificateDocument>,
): Promise<void> {
  await collection.createIndex({ revokedAt: 1 }, { name: 'by_time' });
}

/** CertificateRevocationStore backed by MongoDB. */
export class MongoCertificateRevocationStore implements CertificateRevocationStore {
  readonly #revoked: Collection<RevokedCertificateDocument>;

  constructor(revoked: Collection<RevokedCertificateDocument>) {
    this.#revoked = revoked;
  }

  async add(entry: RevokedCertificateRecord): Promise<void> {
    if (typeof entry !== 'object' || entry === null) {
      throw new MongoInputError('entry', '"entry" expected an object');
    }
    const reason = optionalString('entry.reason', entry.reason, 256);
    const doc: RevokedCertificateDocument = {
      _id: requireString('entry.serialNumber', entry.serialNumber, 256),
      userUuid: requireString('entry.userUuid', entry.userUuid, 256),
      deviceId: requireString('entry.deviceId', entry.deviceId, 256),
      revokedAt: requireNumber('entry.revokedAt', entry.revokedAt),
      ...(reason === undefined ? {} : { reason }),
    };
    try {
      await this.#revoked.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return;
      throw toPortError(error);
    }
  }

  async isRevoked(serialNumber: string): Promise<boolean> {
    const id = requireString('serialNumber', serialNumber, 256);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#revoked.findOne({ _id: id }, { projection: { _id: 1 } }),
    );
    return doc !== null;
  }

  async list(): Promise<readonly RevokedCertificateRecord[]> {
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#revoked.find({}).sort({ revokedAt: 1, _id: 1 }).toArray(),
    );
    return docs.map((doc) => ({
      serialNumber: doc._id,
      userUuid: doc.userUuid,
      deviceId: doc.deviceId,
      revokedAt: doc.revokedAt,
      ...(typeof doc.reason === 'string' ? { reason: doc.reason } : {}),
    }));
  }
}
