/**
 * One-time use by unique insert. The item itself is never modified; consuming it inserts a
 * claim document whose `_id` is derived from the item. A unique `_id` insert is atomic on
 * MongoDB and on FerretDB alike, so of N concurrent consumers exactly one inserts the claim
 * and every other one gets a duplicate key (→ `used`). Expiry is checked before the claim, so
 * an expired item is reported `expired` and stays unconsumed. A crash after the claim leaves
 * the item used, which is the safe side for a one-time secret.
 */
import type { ConsumeResult } from '@city/ports';
import type { Collection } from 'mongodb';
import { isDuplicateKeyError, toPortError } from './_map-mongo-error.js';

/** A claim marking a one-time item used. */
export interface ClaimDocument {
  _id: string;
  at: number;
  /** For the TTL index (real MongoDB only): when the claim may be reclaimed. */
  expireAt: Date;
}

/** The claim key of one item: kind and id, unambiguous whatever characters the id holds. */
export function claimKey(kind: string, id: string): string {
  return JSON.stringify([kind, id]);
}

/** Consumes the item read by `read`, claiming it under `claimId`. */
export async function consumeOnce<T extends { readonly expiresAt: number }>(
  claims: Collection<ClaimDocument>,
  claimId: string,
  now: number,
  read: () => Promise<T | undefined>,
): Promise<ConsumeResult<T>> {
  const record = await read();
  if (record === undefined) return { ok: false, reason: 'not_found' };
  if (now >= record.expiresAt) return { ok: false, reason: 'expired' };
  try {
    await claims.insertOne({ _id: claimId, at: now, expireAt: new Date(record.expiresAt) });
  } catch (error) {
    if (isDuplicateKeyError(error)) return { ok: false, reason: 'used' };
    throw toPortError(error);
  }
  return { ok: true, record };
}
