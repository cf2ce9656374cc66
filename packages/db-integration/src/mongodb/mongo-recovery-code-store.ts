/**
 * RecoveryCodeStore on MongoDB: collection `recovery_codes`, one document per user (`_id` = the
 * user's uuid) holding the current set id and the code hashes, replaced whole by a regeneration.
 * Using a code inserts a claim in the shared claims collection whose `_id` names the user, the
 * set and the hash (see `_consume-once.ts`): a unique `_id` insert is atomic on MongoDB and on
 * FerretDB alike, so of N concurrent uses of one code, from any number of processes, exactly one
 * wins. A claim made while a regeneration replaced the set is reported `not_found` (the old set
 * is gone); claims never expire, so a used code stays used.
 */
import type { ConsumeResult, RecoveryCodeSetRecord, RecoveryCodeStore } from '@city/ports';
import type { Collection } from 'mongodb';
import { type ClaimDocument, claimKey } from './_consume-once.js';
import { requireNumber, requireString } from './_guards.js';
import {
  isDuplicateKeyError,
  toPortError,
  type UniqueFieldNames,
  withMongoErrors,
} from './_map-mongo-error.js';
import type { WriteSerializer } from './_serialize-writes.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'userUuid' };
const KEY_MAX = 256;
const MAX_CODES = 64;
/** Claims of used codes are kept for good: the latest date a BSON date the TTL monitor honours holds. */
const NEVER = new Date(8_640_000_000_000_000);

/** The stored form of a user's recovery code set. */
export interface RecoveryCodeSetDocument {
  _id: string;
  setId: string;
  codeHashes: string[];
  createdAt: number;
}

/** RecoveryCodeStore backed by MongoDB. */
export class MongoRecoveryCodeStore implements RecoveryCodeStore {
  readonly #sets: Collection<RecoveryCodeSetDocument>;
  readonly #claims: Collection<ClaimDocument>;
  readonly #serialize: WriteSerializer;

  constructor(
    sets: Collection<RecoveryCodeSetDocument>,
    claims: Collection<ClaimDocument>,
    serialize: WriteSerializer,
  ) {
    this.#sets = sets;
    this.#claims = claims;
    this.#serialize = serialize;
  }

  async replace(set: RecoveryCodeSetRecord): Promise<void> {
    if (typeof set !== 'object' || set === null) {
      throw new MongoInputError('set', '"set" expected an object');
    }
    const userUuid = requireString('set.userUuid', set.userUuid, KEY_MAX);
    if (!Array.isArray(set.codeHashes) || set.codeHashes.length === 0 || set.codeHashes.length > MAX_CODES) {
      throw new MongoInputError('set.codeHashes', `"set.codeHashes" expected 1..${MAX_CODES} hashes`);
    }
    const codeHashes = set.codeHashes.map((hash, i) => requireString(`set.codeHashes[${i}]`, hash, KEY_MAX));
    if (new Set(codeHashes).size !== codeHashes.length) {
      throw new MongoInputError('set.codeHashes', '"set.codeHashes" expected distinct hashes');
    }
    if (!Array.isArray(set.usedCodeHashes) || set.usedCodeHashes.length !== 0) {
      throw new MongoInputError('set.usedCodeHashes', '"set.usedCodeHashes" expected [] in a new set');
    }
    const doc: RecoveryCodeSetDocument = {
      _id: userUuid,
      setId: requireString('set.setId', set.setId, KEY_MAX),
      codeHashes,
      createdAt: requireNumber('set.createdAt', set.createdAt),
    };
    await this.#serialize(`recovery_codes:${userUuid}`, () =>
      withMongoErrors(UNIQUE_FIELDS, () => this.#sets.replaceOne({ _id: userUuid }, doc, { upsert: true })),
    );
  }

  async get(userUuid: string): Promise<RecoveryCodeSetRecord | undefined> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    const doc = await this.#read(uuid);
    return doc === undefined ? undefined : this.#withUses(doc);
  }

  async consume(
    userUuid: string,
    codeHash: string,
    now: number,
  ): Promise<ConsumeResult<RecoveryCodeSetRecord>> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    const hash = requireString('codeHash', codeHash, KEY_MAX);
    const at = requireNumber('now', now);
    const doc = await this.#read(uuid);
    if (doc === undefined || !doc.codeHashes.includes(hash)) return { ok: false, reason: 'not_found' };
    try {
      await this.#claims.insertOne({ _id: claimId(uuid, doc.setId, hash), at, expireAt: NEVER });
    } catch (error) {
      if (isDuplicateKeyError(error)) return { ok: false, reason: 'used' };
      throw toPortError(error);
    }
    // A regeneration that replaced the set meanwhile wins: the code belonged to the old set.
    const after = await this.#read(uuid);
    if (after === undefined || after.setId !== doc.setId) return { ok: false, reason: 'not_found' };
    return { ok: true, record: await this.#withUses(after) };
  }

  async remove(userUuid: string): Promise<void> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    await this.#serialize(`recovery_codes:${uuid}`, () =>
      withMongoErrors(UNIQUE_FIELDS, () => this.#sets.deleteOne({ _id: uuid })),
    );
  }

  async #read(userUuid: string): Promise<RecoveryCodeSetDocument | undefined> {
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#sets.findOne({ _id: userUuid }));
    return doc ?? undefined;
  }

  async #withUses(doc: RecoveryCodeSetDocument): Promise<RecoveryCodeSetRecord> {
    const ids = doc.codeHashes.map((hash) => claimId(doc._id, doc.setId, hash));
    const claimed = await withMongoErrors({}, () =>
      this.#claims.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
    );
    const used = new Set(claimed.map((claim) => claim._id));
    return {
      userUuid: doc._id,
      setId: doc.setId,
      codeHashes: [...doc.codeHashes],
      usedCodeHashes: doc.codeHashes.filter((hash) => used.has(claimId(doc._id, doc.setId, hash))),
      createdAt: doc.createdAt,
    };
  }
}

function claimId(userUuid: string, setId: string, hash: string): string {
  return claimKey('recovery-code', `${userUuid}/${setId}/${hash}`);
}
