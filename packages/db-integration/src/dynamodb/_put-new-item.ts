/**
 * Internal: "create this item unless its key is taken", safe under the SDK's own retries. A Put
 * conditional on `attribute_not_exists(key)` whose response is lost (timeout, reset connection)
 * is retried by the SDK; the retry then fails its condition against the item the first attempt
 * wrote. Answering that as a conflict made callers roll back half of a multi-item write and
 * leave the other half (an active device without its user). So a failed condition is checked by
 * a strongly consistent read: an item equal, attribute for attribute, to the one being written is
 * this writer's own landed attempt and counts as created. Every created item carries fresh random
 * identifiers, so another writer never writes an identical one.
 */
import { isDeepStrictEqual } from 'node:util';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names } from './_context.js';

/** What {@link putNewItem} found: its item written (now or by an earlier attempt of the same call), or another item under the key. */
export type PutNewOutcome = 'created' | 'taken';

/** Byte values compare by content whatever their class (Buffer written, Uint8Array read back). */
function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (ArrayBuffer.isView(value)) {
    return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Set) return { set: [...value].map(canonical).sort() };
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) out[key] = canonical(inner);
    }
    return out;
  }
  return value;
}

/** True when `stored` is exactly `written` (undefined attributes are not stored). */
export function sameItem(written: Record<string, unknown>, stored: Record<string, unknown>): boolean {
  return isDeepStrictEqual(canonical(written), canonical(stored));
}

/**
 * Puts `item` when nothing is stored under `key` (`keyName` is the partition key attribute).
 *
 * @throws {StoreUnavailableError} when DynamoDB fails
 */
export async function putNewItem(
  ctx: DynamoContext,
  what: string,
  table: string,
  keyName: string,
  key: Record<string, unknown>,
  item: Record<string, unknown>,
): Promise<PutNewOutcome> {
  try {
    await storeCall(what, () =>
      ctx.doc.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: `attribute_not_exists(#${keyName})`,
          ExpressionAttributeNames: names(keyName),
        }),
      ),
    );
    return 'created';
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
  const out = await storeCall(`${what} (check)`, () =>
    ctx.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
  );
  return out.Item !== undefined && sameItem(item, out.Item) ? 'created' : 'taken';
}
