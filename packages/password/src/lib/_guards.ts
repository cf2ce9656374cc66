/** Input guards shared by the public functions: they name the bad parameter and never echo its value. */
import { PasswordError } from '../password-error.js';
import { MAX_PASSWORD_BYTES } from './_limits.js';

export function invalidArgument(message: string): PasswordError {
  return new PasswordError('INVALID_ARGUMENT', message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return typeof value;
}

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(`"${name}" expected string, got ${describe(value)}`);
}

export function assertWellFormedPassword(value: unknown, name: string): asserts value is string {
  assertString(value, name);
  // Lone surrogates become U+FFFD in UTF-8, so two different strings would hash alike.
  if (!value.isWellFormed()) throw invalidArgument(`"${name}" must be well-formed Unicode`);
}

export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array))
    throw invalidArgument(`"${name}" expected Uint8Array, got ${describe(value)}`);
}

export function assertIntegerInRange(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidArgument(`"${name}" expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) throw invalidArgument(`"${name}" expected ${min}..${max}, got ${value}`);
  return value;
}

export function assertPlainObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(
      `"${name}" expected an object, got ${Array.isArray(value) ? 'array' : describe(value)}`,
    );
  }
}

/** UTF-8 encodes a password, refusing over-long input before any expensive work (Argon2 DoS). */
export function encodePassword(password: string): Buffer {
  assertPasswordLength(password);
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length > MAX_PASSWORD_BYTES) throw tooLong();
  return bytes;
}

/** Throws `PASSWORD_TOO_LONG` when `password` is over the limit, without allocating its encoding. */
export function assertPasswordLength(password: string): void {
  if (password.length > MAX_PASSWORD_BYTES && Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw tooLong();
  }
}

function tooLong(): PasswordError {
  return new PasswordError('PASSWORD_TOO_LONG', `password must be at most ${MAX_PASSWORD_BYTES} UTF-8 bytes`);
}
