/**
 * Internal: input guards of the SQLite adapter. Each check is a `typeof` and a length or range
 * comparison — no copying, no scanning of the value — so a read costs nanoseconds here; the
 * message names the parameter that was refused.
 */
import { SqliteInputError } from './sqlite-input-error.js';

/** Longest string accepted by default (PEM certificates are the longest values stored). */
const DEFAULT_MAX_LENGTH = 256 * 1024;

/** A non-empty string of at most `maxLength` characters. */
export function requireString(name: string, value: unknown, maxLength = DEFAULT_MAX_LENGTH): string {
  if (typeof value !== 'string') {
    throw new SqliteInputError(name, `"${name}" expected a string, got ${describeType(value)}`);
  }
  if (value.length === 0 || value.length > maxLength) {
    throw new SqliteInputError(name, `"${name}" expected 1..${maxLength} characters, got ${value.length}`);
  }
  return value;
}

/** `undefined`, or a string as {@link requireString} checks it (`null` is refused: records omit absent fields). */
export function optionalString(
  name: string,
  value: unknown,
  maxLength = DEFAULT_MAX_LENGTH,
): string | undefined {
  return value === undefined ? undefined : requireString(name, value, maxLength);
}

/** A finite number (timestamps in ms, windows). */
export function requireNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SqliteInputError(name, `"${name}" expected a finite number, got ${describeType(value)}`);
  }
  return value;
}

/** `undefined`, or a finite number. */
export function optionalNumber(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : requireNumber(name, value);
}

/** A safe integer (versions, generations, counts). */
export function requireInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new SqliteInputError(name, `"${name}" expected an integer, got ${describeType(value)}`);
  }
  return value;
}

/** A page size: an integer in 1..`max`. */
export function requireLimit(name: string, value: unknown, max = 1000): number {
  const limit = requireInteger(name, value);
  if (limit < 1 || limit > max)
    throw new SqliteInputError(name, `"${name}" expected 1..${max}, got ${limit}`);
  return limit;
}

/** One of the allowed string values. */
export function requireOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new SqliteInputError(name, `"${name}" expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A plain object (not null, not an array). */
export function requireObject<T extends object>(name: string, value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SqliteInputError(name, `"${name}" expected an object, got ${describeType(value)}`);
  }
  return value;
}

/** A plain object of string values (encrypted profile fields), copied. */
export function requireStringMap(name: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SqliteInputError(name, `"${name}" expected an object of strings, got ${describeType(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new SqliteInputError(
        `${name}.${key}`,
        `"${name}.${key}" expected a string, got ${describeType(item)}`,
      );
    }
    out[key] = item;
  }
  return out;
}

/** A plain object of string/number/boolean values (audit details, notification data), copied. */
export function requireScalarMap(name: string, value: unknown): Record<string, string | number | boolean> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SqliteInputError(name, `"${name}" expected an object, got ${describeType(value)}`);
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [key, item] of Object.entries(value)) {
    if (
      typeof item !== 'string' &&
      typeof item !== 'boolean' &&
      !(typeof item === 'number' && Number.isFinite(item))
    ) {
      throw new SqliteInputError(
        `${name}.${key}`,
        `"${name}.${key}" expected a string, finite number or boolean`,
      );
    }
    out[key] = item;
  }
  return out;
}

/** Names a value's type for messages without echoing the value (it may be a secret). */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
