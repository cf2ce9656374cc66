/**
 * Input guards for the MongoDB adapter (operator-injection defence).
 *
 * Every value that reaches a filter or a stored document passes through one of these, so a
 * query is always built from primitives this module typed itself, never from a caller's
 * object. The checks also keep documents inside what FerretDB accepts (no NUL characters,
 * no keys starting with `$` or containing `.`).
 */
import { MongoInputError } from './mongo-input-error.js';

/** Longest string accepted by default (PEM certificates are the longest values stored). */
const DEFAULT_MAX_LENGTH = 64 * 1024;

/** A non-empty string without NUL characters. */
export function requireString(name: string, value: unknown, maxLength = DEFAULT_MAX_LENGTH): string {
  if (typeof value !== 'string') {
    throw new MongoInputError(name, `"${name}" expected a string, got ${describeType(value)}`);
  }
  if (value.length === 0) throw new MongoInputError(name, `"${name}" must not be empty`);
  if (value.length > maxLength) {
    throw new MongoInputError(
      name,
      `"${name}" expected at most ${maxLength} characters, got ${value.length}`,
    );
  }
  if (value.includes('\u0000')) throw new MongoInputError(name, `"${name}" must not contain NUL characters`);
  return value;
}

/** `undefined`/`null`, or a string as {@link requireString} checks it. */
export function optionalString(
  name: string,
  value: unknown,
  maxLength = DEFAULT_MAX_LENGTH,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(name, value, maxLength);
}

/** A finite number (timestamps in ms, windows). */
export function requireNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MongoInputError(name, `"${name}" expected a finite number, got ${describeType(value)}`);
  }
  return value;
}

/** `undefined`/`null`, or a finite number. */
export function optionalNumber(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return requireNumber(name, value);
}

/** A safe integer (versions, generations, counts). */
export function requireInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MongoInputError(name, `"${name}" expected an integer, got ${describeType(value)}`);
  }
  return value;
}

/** A positive integer no larger than `max` (page sizes). */
export function requireLimit(name: string, value: unknown, max = 1000): number {
  const limit = requireInteger(name, value);
  if (limit < 1 || limit > max) throw new MongoInputError(name, `"${name}" expected 1..${max}, got ${limit}`);
  return limit;
}

/** One of the allowed string values. */
export function requireOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new MongoInputError(name, `"${name}" expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A key usable as a stored field name: no leading `$`, no `.`, no NUL. */
export function requireFieldKey(name: string, key: string): string {
  if (key.length === 0 || key.startsWith('$') || key.includes('.') || key.includes('\u0000')) {
    throw new MongoInputError(name, `"${name}" has a key that cannot be stored: ${JSON.stringify(key)}`);
  }
  return key;
}

/** A plain object of string values with storable keys (encrypted profile fields). */
export function requireStringMap(name: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MongoInputError(name, `"${name}" expected an object of strings, got ${describeType(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    requireFieldKey(name, key);
    out[key] = requireString(`${name}.${key}`, item);
  }
  return out;
}

/** A plain object of string/number/boolean values, serialised to JSON text for storage. */
export function requireScalarMapJson(name: string, value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MongoInputError(name, `"${name}" expected an object, got ${describeType(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    const t = typeof item;
    if (t !== 'string' && t !== 'boolean' && !(t === 'number' && Number.isFinite(item))) {
      throw new MongoInputError(name, `"${name}.${key}" expected a string, number or boolean`);
    }
  }
  return JSON.stringify(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
