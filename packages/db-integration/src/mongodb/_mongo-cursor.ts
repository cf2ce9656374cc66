/**
 * Opaque page cursors for the MongoDB adapter: base64url JSON of the last item's sort key.
 * A cursor is decoded into typed primitives before it reaches a filter, so a forged cursor can
 * only move the page, never inject an operator; anything else is `InvalidCursorError`.
 */
import { InvalidCursorError } from '@city/ports';

/** Encodes the sort key of the last item of a page. */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor into exactly the primitive types expected (`'string'` / `'number'`). */
export function decodeCursor<T extends readonly ('string' | 'number')[]>(
  cursor: unknown,
  shape: T,
): { [K in keyof T]: T[K] extends 'string' ? string : number } {
  if (
    typeof cursor !== 'string' ||
    cursor.length === 0 ||
    cursor.length > 1024 ||
    !/^[A-Za-z0-9_-]+$/.test(cursor)
  ) {
    throw new InvalidCursorError();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError(undefined, { cause });
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) {
    throw new InvalidCursorError();
  }
  shape.forEach((type, i) => {
    const item: unknown = parsed[i];
    const ok =
      type === 'string' ? typeof item === 'string' && !item.includes('\u0000') : Number.isFinite(item);
    if (!ok) throw new InvalidCursorError();
  });
  return parsed as { [K in keyof T]: T[K] extends 'string' ? string : number };
}
