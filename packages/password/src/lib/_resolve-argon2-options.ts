/** Validates caller-supplied Argon2 options and fills in the defaults. */
import { type Argon2Options, DEFAULT_ARGON2_OPTIONS } from '../argon2-options.js';
import { assertIntegerInRange, assertPlainObject } from './_guards.js';
import {
  MAX_ARGON2_MEMORY_KIB,
  MAX_ARGON2_PARALLELISM,
  MAX_ARGON2_PASSES,
  MAX_SALT_BYTES,
  MAX_TAG_BYTES,
  MIN_NEW_TAG_BYTES,
  MIN_SALT_BYTES,
} from './_limits.js';

export function resolveArgon2Options(options: unknown, name: string): Required<Argon2Options> {
  if (options === undefined) return { ...DEFAULT_ARGON2_OPTIONS };
  assertPlainObject(options, name);
  const pick = (key: keyof Argon2Options, min: number, max: number): number => {
    const value = options[key];
    return value === undefined
      ? DEFAULT_ARGON2_OPTIONS[key]
      : assertIntegerInRange(value, `${name}.${key}`, min, max);
  };
  const parallelism = pick('parallelism', 1, MAX_ARGON2_PARALLELISM);
  const resolved = {
    memory: pick('memory', 8, MAX_ARGON2_MEMORY_KIB),
    passes: pick('passes', 1, MAX_ARGON2_PASSES),
    parallelism,
    tagLength: pick('tagLength', MIN_NEW_TAG_BYTES, MAX_TAG_BYTES),
    saltLength: pick('saltLength', MIN_SALT_BYTES, MAX_SALT_BYTES),
  };
  // RFC 9106 section 3.1: m >= 8 * p.
  assertIntegerInRange(resolved.memory, `${name}.memory`, 8 * parallelism, MAX_ARGON2_MEMORY_KIB);
  return resolved;
}
