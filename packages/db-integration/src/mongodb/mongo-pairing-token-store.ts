/**
 * PairingTokenStore on MongoDB: tokens by `_id` = token hash (written once, never modified),
 * consumption as a unique claim in the shared claims collection (see `_consume-once.ts`).
 */
import type { ConsumeResult, PairingTokenRecord, PairingTokenStore } from '@city/ports';
import type { Collection } from 'mongodb';
import { type ClaimDocument, claimKey, consumeOnce } from './_consume-once.js';
import { optionalString, requireNumber, requireString } from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'tokenHash' };

/** The stored form of a pairing token. */
export interface PairingTokenDocument {
  _id: string;
  userUuid: string;
  parentDeviceId: string;
  /** Label for the device to be paired, when the issuer chose one. */
  deviceLabel?: string;
  createdAt: number;
  expiresAt: number;
  /** For the TTL index (real MongoDB only). */
  expireAt: Date;
}

/** PairingTokenStore backed by MongoDB. */
export class MongoPairingTokenStore implements PairingTokenStore {
  readonly #tokens: Collection<PairingTokenDocument>;
  readonly #claims: Collection<ClaimDocument>;

  constructor(tokens: Collection<PairingTokenDocument>, claims: Collection<ClaimDocument>) {
    this.#tokens = tokens;
    this.#claims = claims;
  }

  async create(token: PairingTokenRecord): Promise<void> {
    if (typeof token !== 'object' || token === null) {
      throw new MongoInputError('token', '"token" expected an object');
    }
    const expiresAt = requireNumber('token.expiresAt', token.expiresAt);
    const deviceLabel = optionalString('token.deviceLabel', token.deviceLabel, 1024);
    const doc: PairingTokenDocument = {
      _id: requireString('token.tokenHash', token.tokenHash, 256),
      userUuid: requireString('token.userUuid', token.userUuid, 256),
      parentDeviceId: requireString('token.parentDeviceId', token.parentDeviceId, 256),
      ...(deviceLabel === undefined ? {} : { deviceLabel }),
      createdAt: requireNumber('token.createdAt', token.createdAt),
      expiresAt,
      expireAt: new Date(expiresAt),
    };
    await withMongoErrors(UNIQUE_FIELDS, () => this.#tokens.insertOne(doc));
  }

  async get(tokenHash: string): Promise<PairingTokenRecord | undefined> {
    const id = requireString('tokenHash', tokenHash, 256);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#tokens.findOne({ _id: id }));
    return doc ? toRecord(doc) : undefined;
  }

  async consume(tokenHash: string, now: number): Promise<ConsumeResult<PairingTokenRecord>> {
    const id = requireString('tokenHash', tokenHash, 256);
    const at = requireNumber('now', now);
    return consumeOnce(this.#claims, claimKey('pairing', id), at, () => this.get(id));
  }
}

function toRecord(doc: PairingTokenDocument): PairingTokenRecord {
  return {
    tokenHash: doc._id,
    userUuid: doc.userUuid,
    parentDeviceId: doc.parentDeviceId,
    ...(typeof doc.deviceLabel === 'string' ? { deviceLabel: doc.deviceLabel } : {}),
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}
