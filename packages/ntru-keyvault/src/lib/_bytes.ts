/** Byte helpers shared by the capsule, key and field formats (internal). */
import { KeyVaultError } from '../keyvault-error.js';

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** 4-byte big-endian length prefix + bytes: makes concatenations unambiguous. */
export function lengthPrefixed(...parts: readonly (Uint8Array | string)[]): Uint8Array {
  const encoded = parts.map((part) => (typeof part === 'string' ? new TextEncoder().encode(part) : part));
  const pieces: Uint8Array[] = [];
  for (const part of encoded) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, part.length);
    pieces.push(length, part);
  }
  return concatBytes(...pieces);
}

export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"${name}" expected Uint8Array, got ${describeType(value)}`);
  }
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Strict base64 (standard or url alphabet, padding optional); undefined when not base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  // Reject non-canonical encodings so one key or capsule has exactly one text form.
  const canonical = bytes.toString('base64').replace(/=+$/, '');
  if (canonical !== compact.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')) return undefined;
  return new Uint8Array(bytes);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function zeroize(...buffers: (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}
