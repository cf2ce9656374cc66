/**
 * Capsule binary layout v1 (internal; documented byte for byte in README "Capsule format").
 *
 *   0        4  magic "CKVC"
 *   4        1  version (0x01)
 *   5        1  KEM algorithm id
 *   6        8  key id (8 raw bytes = the 16 hex characters of the key id)
 *   14       8  created-at, milliseconds since the Unix epoch, unsigned big-endian
 *   22       2  KEM ciphertext length n, big-endian
 *   24       n  KEM ciphertext
 *   24+n    12  AES-GCM nonce
 *   36+n     2  wrapped key length m, big-endian (1..1024)
 *   38+n     m  AES-256-GCM ciphertext of the key
 *   38+n+m  16  AES-GCM tag
 *
 * Everything before the key ciphertext (bytes 0 .. 38+n) is the GCM additional data, so a change to
 * any header byte, the KEM ciphertext or the nonce fails authentication; lengths are checked exactly,
 * so truncated or padded capsules are rejected before any cryptography runs.
 */
import type { KemAlgorithm } from '../kem-algorithm.js';
import { KeyVaultError } from '../keyvault-error.js';
import { toHex } from './_bytes.js';
import { algorithmFromId, kemBackend } from './_kem.js';

export const CAPSULE_MAGIC = new Uint8Array([0x43, 0x4b, 0x56, 0x43]);
export const CAPSULE_VERSION = 1;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
export const MAX_WRAPPED_KEY_LENGTH = 1024;
export const MAX_CAPSULE_LENGTH = 8192;
const FIXED_PREFIX = 24;

export interface ParsedCapsule {
  readonly version: number;
  readonly algorithm: KemAlgorithm;
  readonly keyId: string;
  readonly createdAt: Date;
  readonly kemCiphertext: Uint8Array;
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export function capsuleMalformed(): KeyVaultError {
  return new KeyVaultError('CAPSULE_MALFORMED', 'capsule is malformed');
}

export function serializeCapsule(parts: {
  algorithm: KemAlgorithm;
  keyId: string;
  createdAt: Date;
  kemCiphertext: Uint8Array;
  nonce: Uint8Array;
  keyLength: number;
}): { header: Uint8Array; finish(ciphertext: Uint8Array, tag: Uint8Array): Uint8Array } {
  const n = parts.kemCiphertext.length;
  const header = new Uint8Array(38 + n);
  const view = new DataView(header.buffer);
  header.set(CAPSULE_MAGIC, 0);
  header[4] = CAPSULE_VERSION;
  header[5] = kemBackend(parts.algorithm).id;
  header.set(Buffer.from(parts.keyId, 'hex'), 6);
  view.setBigUint64(14, BigInt(parts.createdAt.getTime()));
  view.setUint16(22, n);
  header.set(parts.kemCiphertext, 24);
  header.set(parts.nonce, 24 + n);
  view.setUint16(36 + n, parts.keyLength);
  return {
    header,
    finish(ciphertext, tag) {
      const out = new Uint8Array(header.length + ciphertext.length + tag.length);
      out.set(header, 0);
      out.set(ciphertext, header.length);
      out.set(tag, header.length + ciphertext.length);
      return out;
    },
  };
}

export function parseCapsule(bytes: unknown): ParsedCapsule {
  if (!(bytes instanceof Uint8Array)) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"capsule" expected Uint8Array, got ${typeof bytes}`);
  }
  if (bytes.length < FIXED_PREFIX || bytes.length > MAX_CAPSULE_LENGTH) throw capsuleMalformed();
  for (let i = 0; i < CAPSULE_MAGIC.length; i++) if (bytes[i] !== CAPSULE_MAGIC[i]) throw capsuleMalformed();
  if (bytes[4] !== CAPSULE_VERSION) {
    throw new KeyVaultError('CAPSULE_UNSUPPORTED_VERSION', `capsule version ${bytes[4]} is not supported`);
  }
  const algorithm = algorithmFromId(bytes[5] ?? -1);
  if (algorithm === undefined) throw capsuleMalformed();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const createdAtMs = view.getBigUint64(14);
  if (createdAtMs > BigInt(Number.MAX_SAFE_INTEGER)) throw capsuleMalformed();
  const n = view.getUint16(22);
  if (n !== kemBackend(algorithm).ciphertextLength || bytes.length < 38 + n) throw capsuleMalformed();
  const m = view.getUint16(36 + n);
  if (m < 1 || m > MAX_WRAPPED_KEY_LENGTH || bytes.length !== 38 + n + m + TAG_LENGTH)
    throw capsuleMalformed();
  return {
    version: CAPSULE_VERSION,
    algorithm,
    keyId: toHex(bytes.subarray(6, 14)),
    createdAt: new Date(Number(createdAtMs)),
    kemCiphertext: bytes.subarray(24, 24 + n),
    nonce: bytes.subarray(24 + n, 36 + n),
    aad: bytes.subarray(0, 38 + n),
    ciphertext: bytes.subarray(38 + n, 38 + n + m),
    tag: bytes.subarray(38 + n + m),
  };
}
