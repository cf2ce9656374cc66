/**
 * ChallengeStore on MongoDB: challenges by `_id` = challenge id (written once), consumption as
 * a unique claim in the shared claims collection (see `_consume-once.ts`).
 */
import type { ChallengeRecord, ChallengeStore, ConsumeResult } from '@city/ports';
import type { Collection } from 'mongodb';
import { type ClaimDocument, claimKey, consumeOnce } from './_consume-once.js';
import { optionalString, requireNumber, requireString } from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'challengeId' };

/** The stored form of a login challenge. */
export interface ChallengeDocument {
  _id: string;
  nonce: string;
  userUuid?: string;
  createdAt: number;
  expiresAt: number;
  /** For the TTL index (real MongoDB only). */
  expireAt: Date;
}

/** ChallengeStore backed by MongoDB. */
export class MongoChallengeStore implements ChallengeStore {
  readonly #challenges: Collection<ChallengeDocument>;
  readonly #claims: Collection<ClaimDocument>;

  constructor(challenges: Collection<ChallengeDocument>, claims: Collection<ClaimDocument>) {
    this.#challenges = challenges;
    this.#claims = claims;
  }

  async create(challenge: ChallengeRecord): Promise<void> {
    if (typeof challenge !== 'object' || challenge === null) {
      throw new MongoInputError('challenge', '"challenge" expected an object');
    }
    const userUuid = optionalString('challenge.userUuid', challenge.userUuid, 256);
    const expiresAt = requireNumber('challenge.expiresAt', challenge.expiresAt);
    const doc: ChallengeDocument = {
      _id: requireString('challenge.challengeId', challenge.challengeId, 256),
      nonce: requireString('challenge.nonce', challenge.nonce, 1024),
      ...(userUuid === undefined ? {} : { userUuid }),
      createdAt: requireNumber('challenge.createdAt', challenge.createdAt),
      expiresAt,
      expireAt: new Date(expiresAt),
    };
    await withMongoErrors(UNIQUE_FIELDS, () => this.#challenges.insertOne(doc));
  }

  async consume(challengeId: string, now: number): Promise<ConsumeResult<ChallengeRecord>> {
    const id = requireString('challengeId', challengeId, 256);
    const at = requireNumber('now', now);
    return consumeOnce(this.#claims, claimKey('challenge', id), at, async () => {
      const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#challenges.findOne({ _id: id }));
      return doc ? toRecord(doc) : undefined;
    });
  }
}

function toRecord(doc: ChallengeDocument): ChallengeRecord {
  return {
    challengeId: doc._id,
    nonce: doc.nonce,
    ...(typeof doc.userUuid === 'string' ? { userUuid: doc.userUuid } : {}),
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}
