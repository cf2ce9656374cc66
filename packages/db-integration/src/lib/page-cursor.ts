/**
 * Internal: opaque page cursors. A cursor is base64url JSON of the engine's resume point;
 * it carries only key attributes, which are identifiers, never secrets. A cursor is checked
 * against the shape the listing hands out before it reaches the engine, so a forged one is
 * `InvalidCursorError` (the caller's input), never an engine error.
 */
import { InvalidCursorError } from '@city/ports';

/** Encodes a resume point (undefined → no further page). */
export function encodeCursor(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor produced by {@link encodeCursor} whose value passes `isValid`.
 *
 * @throws {InvalidCursorError} when the cursor is not base64url JSON of an object, or fails `isValid`
 */
export function decodeCursor<T>(
  cursor: string | undefined,
  isValid: (value: Record<string, unknown>) => boolean,
): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError(undefined, { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidCursorError();
  if (!isValid(parsed as Record<string, unknown>)) throw new InvalidCursorError();
  return parsed as T;
}

/** True when `value` has exactly the attributes `names`, each a string. */
export function hasStringAttributes(value: unknown, names: readonly string[]): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === names.length &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'string')
  );
}
