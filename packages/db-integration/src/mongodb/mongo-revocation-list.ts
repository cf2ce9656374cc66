/**
 * RevocationList (jti denylist) on MongoDB: `_id` = jti, `expiresAt` compared on read, and
 * `expireAt` for the TTL index where the server has one (it only reclaims space).
 */
import type { RevocationList } from '@city/ports';
import type { Collection } from 'mongodb';
import { requireNumber, requireString } from './_guards.js';
import { isDuplicateKeyError, type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import type { WriteSerializer } from './_serialize-writes.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'jti' };

/** The stored form of a revoked token id. */
export interface RevokedTokenDocument {
  _id: string;
  expiresAt: number;
  expireAt: Date;
}

/** RevocationList backed by MongoDB. */
export class MongoRevocationList implements RevocationList {
  readonly #revoked: Collection<RevokedTokenDocument>;
  readonly #serialize: WriteSerializer;

  constructor(revoked: Collection<RevokedTokenDocument>, serialize: WriteSerializer) {
    this.#revoked = revoked;
    this.#serialize = serialize;
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    const id = requireString('jti', jti, 256);
    const until = requireNumber('expiresAt', expiresAt);
    // `$max` keeps the later expiry when a jti is revoked twice.
    const write = () =>
      this.#revoked.updateOne(
        { _id: id },
        { $max: { expiresAt: until, expireAt: new Date(until) } },
        { upsert: true },
      );
    await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`revoked:${id}`, async () => {
        try {
          await write();
        } catch (error) {
          // Two upserts raced to insert: the loser's update now finds the document.
          if (!isDuplicateKeyError(error)) throw error;
          await write();
        }
      }),
    );
  }

  async isRevoked(jti: string, now: number): Promise<boolean> {
    const id = requireString('jti', jti, 256);
    const at = requireNumber('now', now);
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#revoked.findOne({ _id: id }));
    return doc !== null && doc.expiresAt > at;
  }
}
