/**
 * CertificateBlobStore on MongoDB: one document per certificate body, `_id` = the blob key
 * `certificates/<userUuid>/<deviceId>/<serialNumber>.pem` (components URI-encoded, the same
 * shape as the S3 object keys), index `by_user`. The JSON form is stored as JSON text because
 * its keys are free-form.
 */
import type { CertificateBlob, CertificateBlobStore } from '@city/ports';
import type { Collection } from 'mongodb';
import { requireString } from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'key' };
const MAX_PEM = 256 * 1024;

/** The stored form of a certificate body. */
export interface CertificateBlobDocument {
  _id: string;
  userUuid: string;
  deviceId: string;
  serialNumber: string;
  pem: string;
  jsonText?: string;
}

/** Creates the blob collection's index (idempotent). */
export async function createCertificateBlobIndexes(
  collection: Collection<CertificateBlobDocument>,
): Promise<void> {
  await collection.createIndex({ userUuid: 1 }, { name: 'by_user' });
}

/** CertificateBlobStore backed by MongoDB. */
export class MongoCertificateBlobStore implements CertificateBlobStore {
  readonly #blobs: Collection<CertificateBlobDocument>;

  constructor(blobs: Collection<CertificateBlobDocument>) {
    this.#blobs = blobs;
  }

  async put(blob: CertificateBlob): Promise<string> {
    if (typeof blob !== 'object' || blob === null)
      throw new MongoInputError('blob', '"blob" expected an object');
    const userUuid = requireString('blob.userUuid', blob.userUuid, 256);
    const deviceId = requireString('blob.deviceId', blob.deviceId, 256);
    const serialNumber = requireString('blob.serialNumber', blob.serialNumber, 256);
    let jsonText: string | undefined;
    if (blob.json !== undefined && blob.json !== null) {
      if (typeof blob.json !== 'object' || Array.isArray(blob.json)) {
        throw new MongoInputError('blob.json', '"blob.json" expected an object');
      }
      jsonText = requireString('blob.json', JSON.stringify(blob.json), MAX_PEM);
    }
    const key = `certificates/${encodeURIComponent(userUuid)}/${encodeURIComponent(deviceId)}/${encodeURIComponent(serialNumber)}.pem`;
    const doc: CertificateBlobDocument = {
      _id: key,
      userUuid,
      deviceId,
      serialNumber,
      pem: requireString('blob.pem', blob.pem, MAX_PEM),
      ...(jsonText === undefined ? {} : { jsonText }),
    };
    await withMongoErrors(UNIQUE_FIELDS, () => this.#blobs.replaceOne({ _id: key }, doc, { upsert: true }));
    return key;
  }

  async get(key: string): Promise<CertificateBlob | undefined> {
    const id = requireString('key', key, 2048);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#blobs.findOne({ _id: id }));
    if (!doc) return undefined;
    return {
      userUuid: doc.userUuid,
      deviceId: doc.deviceId,
      serialNumber: doc.serialNumber,
      pem: doc.pem,
      ...(typeof doc.jsonText === 'string'
        ? { json: JSON.parse(doc.jsonText) as Record<string, unknown> }
        : {}),
    };
  }

  async listByUser(userUuid: string): Promise<readonly string[]> {
    const user = requireString('userUuid', userUuid, 256);
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#blobs
        .find({ userUuid: user }, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .toArray(),
    );
    return docs.map((doc) => doc._id);
  }

  async delete(key: string): Promise<void> {
    const id = requireString('key', key, 2048);
    await withMongoErrors(UNIQUE_FIELDS, () => this.#blobs.deleteOne({ _id: id }));
  }
}
