/** Input guards shared by the public functions: they name the bad parameter and never echo its value. */
import { CertificateError } from '../certificate-error.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../key-algorithm.js';

/** Largest PEM text accepted anywhere (an ML-DSA-87 certificate is about 10 KiB of PEM). */
export const MAX_PEM_LENGTH = 64 * 1024;

export function invalidArgument(message: string): CertificateError {
  return new CertificateError('INVALID_ARGUMENT', message);
}

export function assertString(
  value: unknown,
  name: string,
  maxLength = MAX_PEM_LENGTH,
): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(`"${name}" expected a string, got ${typeName(value)}`);
  if (value.length === 0) throw invalidArgument(`"${name}" must not be empty`);
  if (value.length > maxLength) {
    throw invalidArgument(`"${name}" expected at most ${maxLength} characters, got ${value.length}`);
  }
}

export function assertOptionalDate(value: unknown, name: string): Date {
  if (value === undefined) return new Date();
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidArgument(`"${name}" expected a valid Date`);
  }
  return value;
}

export function assertPositiveInteger(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`"${name}" expected an integer from 1 to ${max}`);
  }
  return value;
}

export function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(`"${name}" expected an object, got ${typeName(value)}`);
  }
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return typeof value;
}

/** Throws `INVALID_ARGUMENT` unless `value` is a supported {@link KeyAlgorithm}. */
export function assertKeyAlgorithm(value: unknown, name: string): asserts value is KeyAlgorithm {
  if (typeof value !== 'string' || !(KEY_ALGORITHMS as readonly string[]).includes(value)) {
    throw invalidArgument(`"${name}" expected one of ${KEY_ALGORITHMS.join(', ')}`);
  }
}
