/**
 * RefreshTokenStore on MongoDB: one document per family (`_id` = familyId), index `by_user`.
 * Rotation is one conditional update on `{ status: 'active', generation: expected }`, so of
 * N concurrent rotations of one generation exactly one wins (the others get
 * `ConflictError('generation')` and the caller runs reuse detection).
 *
 * Growth: each family carries `expireAt` (its expiry) under the TTL index `ttl_expireAt`, so
 * MongoDB's TTL monitor deletes it after the session's lifetime (FerretDB v1 has no TTL indexes:
 * there families stay). Revoked families are kept until then (no per-user cap, unlike SQLite).
 */
import {
  ConflictError,
  NotFoundError,
  type RefreshFamilyRecord,
  type RefreshRotation,
  type RefreshTokenStore,
} from '@city/ports';
import type { Collection } from 'mongodb';
import {
  optionalNumber,
  optionalString,
  requireInteger,
  requireNumber,
  requireOneOf,
  requireString,
} from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import type { WriteSerializer } from './_serialize-writes.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'familyId' };

/** The stored form of a refresh-token family. */
export interface RefreshFamilyDocument {
  _id: string;
  userUuid: string;
  deviceId: string;
  generation: number;
  currentJti: string;
  currentAccessJti?: string;
  rotatedAt: number;
  graceSealed?: string;
  graceUntil?: number;
  status: 'active' | 'revoked';
  revokedReason?: string;
  revokedAt?: number;
  createdAt: number;
  expiresAt: number;
  /** For the TTL index (real MongoDB only). */
  expireAt: Date;
}

/** Creates the family collection's secondary index (idempotent). */
export async function createRefreshFamilyIndexes(
  collection: Collection<RefreshFamilyDocument>,
): Promise<void> {
  await collection.createIndex({ userUuid: 1 }, { name: 'by_user' });
}

/** RefreshTokenStore backed by MongoDB. */
export class MongoRefreshTokenStore implements RefreshTokenStore {
  readonly #families: Collection<RefreshFamilyDocument>;
  readonly #serialize: WriteSerializer;

  constructor(families: Collection<RefreshFamilyDocument>, serialize: WriteSerializer) {
    this.#families = families;
    this.#serialize = serialize;
  }

  async create(family: RefreshFamilyRecord): Promise<void> {
    const doc = toDocument(family);
    await withMongoErrors(UNIQUE_FIELDS, () => this.#families.insertOne(doc));
  }

  async get(familyId: string): Promise<RefreshFamilyRecord | undefined> {
    const id = requireString('familyId', familyId, 256);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#families.findOne({ _id: id }));
    return doc ? toRecord(doc) : undefined;
  }

  async rotate(familyId: string, rotation: RefreshRotation): Promise<RefreshFamilyRecord> {
    const id = requireString('familyId', familyId, 256);
    if (typeof rotation !== 'object' || rotation === null) {
      throw new MongoInputError('rotation', '"rotation" expected an object');
    }
    const expectedGeneration = requireInteger('rotation.expectedGeneration', rotation.expectedGeneration);
    const currentAccessJti = optionalString('rotation.currentAccessJti', rotation.currentAccessJti, 256);
    const graceSealed = optionalString('rotation.graceSealed', rotation.graceSealed, 16 * 1024);
    const graceUntil = optionalNumber('rotation.graceUntil', rotation.graceUntil);
    const set: Partial<RefreshFamilyDocument> = {
      generation: requireInteger('rotation.generation', rotation.generation),
      currentJti: requireString('rotation.currentJti', rotation.currentJti, 256),
      rotatedAt: requireNumber('rotation.rotatedAt', rotation.rotatedAt),
    };
    // A rotation describes the whole new state: optional fields it leaves out are cleared, so
    // grace data of an older generation can never be served for a newer one.
    const unset: Record<string, ''> = {};
    if (currentAccessJti === undefined) unset.currentAccessJti = '';
    else set.currentAccessJti = currentAccessJti;
    if (graceSealed === undefined) unset.graceSealed = '';
    else set.graceSealed = graceSealed;
    if (graceUntil === undefined) unset.graceUntil = '';
    else set.graceUntil = graceUntil;

    const doc = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`refresh:${id}`, () =>
        this.#families.findOneAndUpdate(
          { _id: id, status: 'active', generation: expectedGeneration },
          Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set },
          { returnDocument: 'after' },
        ),
      ),
    );
    if (doc) return toRecord(doc);
    if ((await this.get(id)) === undefined) throw new NotFoundError('refresh-token family not found');
    throw new ConflictError('generation', 'refresh token generation is not current');
  }

  async revoke(familyId: string, reason: string, at: number): Promise<void> {
    const id = requireString('familyId', familyId, 256);
    const revokedReason = requireString('reason', reason, 256);
    const revokedAt = requireNumber('at', at);
    // Only an active family is changed: the first revocation's reason is kept.
    const result = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`refresh:${id}`, () =>
        this.#families.updateOne(
          { _id: id, status: 'active' },
          { $set: { status: 'revoked', revokedReason, revokedAt } },
        ),
      ),
    );
    if (result.matchedCount === 0 && (await this.get(id)) === undefined) {
      throw new NotFoundError('refresh-token family not found');
    }
  }

  async listByUser(userUuid: string): Promise<readonly RefreshFamilyRecord[]> {
    const user = requireString('userUuid', userUuid, 256);
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#families.find({ userUuid: user }).sort({ createdAt: 1, _id: 1 }).toArray(),
    );
    return docs.map(toRecord);
  }
}

function toDocument(family: RefreshFamilyRecord): RefreshFamilyDocument {
  if (typeof family !== 'object' || family === null) {
    throw new MongoInputError('family', '"family" expected an object');
  }
  const currentAccessJti = optionalString('family.currentAccessJti', family.currentAccessJti, 256);
  const graceSealed = optionalString('family.graceSealed', family.graceSealed, 16 * 1024);
  const graceUntil = optionalNumber('family.graceUntil', family.graceUntil);
  const revokedReason = optionalString('family.revokedReason', family.revokedReason, 256);
  const expiresAt = requireNumber('family.expiresAt', family.expiresAt);
  return {
    _id: requireString('family.familyId', family.familyId, 256),
    userUuid: requireString('family.userUuid', family.userUuid, 256),
    deviceId: requireString('family.deviceId', family.deviceId, 256),
    generation: requireInteger('family.generation', family.generation),
    currentJti: requireString('family.currentJti', family.currentJti, 256),
    ...(currentAccessJti === undefined ? {} : { currentAccessJti }),
    rotatedAt: requireNumber('family.rotatedAt', family.rotatedAt),
    ...(graceSealed === undefined ? {} : { graceSealed }),
    ...(graceUntil === undefined ? {} : { graceUntil }),
    status: requireOneOf('family.status', family.status, ['active', 'revoked'] as const),
    ...(revokedReason === undefined ? {} : { revokedReason }),
    createdAt: requireNumber('family.createdAt', family.createdAt),
    expiresAt,
    expireAt: new Date(expiresAt),
  };
}

function toRecord(doc: RefreshFamilyDocument): RefreshFamilyRecord {
  return {
    familyId: doc._id,
    userUuid: doc.userUuid,
    deviceId: doc.deviceId,
    generation: doc.generation,
    currentJti: doc.currentJti,
    ...(typeof doc.currentAccessJti === 'string' ? { currentAccessJti: doc.currentAccessJti } : {}),
    rotatedAt: doc.rotatedAt,
    ...(typeof doc.graceSealed === 'string' ? { graceSealed: doc.graceSealed } : {}),
    ...(typeof doc.graceUntil === 'number' ? { graceUntil: doc.graceUntil } : {}),
    status: doc.status,
    ...(typeof doc.revokedReason === 'string' ? { revokedReason: doc.revokedReason } : {}),
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}
