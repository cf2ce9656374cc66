/**
 * Internal: what every DynamoDB store shares — one DocumentClient (created once by the
 * factory and injected), the table names and the clock used for claim grace periods.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '@city/ports';
import type { DynamoTableNames } from './dynamo-table-names.js';

export interface DynamoContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: DynamoTableNames;
  readonly clock: Clock;
  /** How old a claim whose owner never appeared must be before another writer may take it over. */
  readonly claimGraceMs: number;
}

/**
 * ExpressionAttributeNames for `attributes`, as `#name → name`. Every attribute goes through
 * a placeholder: `uuid`, `name`, `status`, `count`, `key`, `ttl` are reserved or may become so.
 */
export function names(...attributes: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const attribute of attributes) map[`#${attribute}`] = attribute;
  return map;
}

/** DynamoDB TTL wants epoch seconds; the engine deletes lazily, reads still check `expiresAt`. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

/** Copies the listed attributes of an item, leaving out engine-only ones (ttl, usedAt, keys). */
export function pick<T>(item: Record<string, unknown>, fields: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (item[field] !== undefined && item[field] !== null) out[field] = item[field];
  }
  return out as T;
}
