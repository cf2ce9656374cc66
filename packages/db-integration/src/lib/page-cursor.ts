/**
 * Internal: opaque page cursors. A cursor is base64url JSON of the engine's resume point;
 * it carries only key attributes, which are identifiers, never secrets.
 */
import { CityError } from '@city/errors';

/** Encodes a resume point (undefined → no further page). */
export function encodeCursor(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor produced by {@link encodeCursor}; a malformed cursor is the caller's mistake. */
export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') throw new TypeError('cursor is not an object');
    return parsed as T;
  } catch (cause) {
    throw new CityError('INVALID_CURSOR', '"cursor" is not a cursor returned by a previous page', { cause });
  }
}
