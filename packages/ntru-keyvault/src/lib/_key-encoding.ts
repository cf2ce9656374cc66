/**
 * Self-describing KEM key encoding (internal).
 *
 *   offset 0  "CKVK"            magic (4 bytes)
 *          4  0x01              format version
 *          5  'P' | 'S'         public or private
 *          6  algorithm id      see _kem.ts
 *          7  raw key           public: pk; private: sk ‖ pk (the public half lets the holder of the
 *                               private key compute the key id and the hybrid combiner input)
 *
 * Text form: standard base64 of those bytes; private keys may also be wrapped in
 * "-----BEGIN CITY KEM PRIVATE KEY-----" armour. Key id: first 8 bytes of
 * SHA-256("city/kem-key-id/v1" ‖ algorithm id ‖ pk), lower hex.
 */
import { createHash } from 'node:crypto';
import type { KemAlgorithm } from '../kem-algorithm.js';
import { KeyVaultError } from '../keyvault-error.js';
import { concatBytes, decodeBase64Strict, toBase64, toHex } from './_bytes.js';
import { algorithmFromId, kemBackend } from './_kem.js';

const MAGIC = new Uint8Array([0x43, 0x4b, 0x56, 0x4b]);
const VERSION = 0x01;
const KIND_PUBLIC = 0x50;
const KIND_PRIVATE = 0x53;
const HEADER_LENGTH = 7;
export const PRIVATE_KEY_PEM_LABEL = 'CITY KEM PRIVATE KEY';

export interface DecodedPublicKey {
  readonly algorithm: KemAlgorithm;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
}

export interface DecodedPrivateKey extends DecodedPublicKey {
  readonly secretKey: Uint8Array;
}

export function computeKeyId(algorithm: KemAlgorithm, publicKey: Uint8Array): string {
  const digest = createHash('sha256')
    .update('city/kem-key-id/v1')
    .update(new Uint8Array([kemBackend(algorithm).id]))
    .update(publicKey)
    .digest();
  return toHex(digest.subarray(0, 8));
}

export function encodePublicKey(algorithm: KemAlgorithm, publicKey: Uint8Array): string {
  const header = new Uint8Array([...MAGIC, VERSION, KIND_PUBLIC, kemBackend(algorithm).id]);
  return toBase64(concatBytes(header, publicKey));
}

export function encodePrivateKey(
  algorithm: KemAlgorithm,
  secretKey: Uint8Array,
  publicKey: Uint8Array,
): string {
  const header = new Uint8Array([...MAGIC, VERSION, KIND_PRIVATE, kemBackend(algorithm).id]);
  const bytes = concatBytes(header, secretKey, publicKey);
  const text = toBase64(bytes);
  bytes.fill(0);
  return text;
}

function malformed(what: string): KeyVaultError {
  // Never echo the input: it may be a private key.
  return new KeyVaultError('KEY_MALFORMED', `"${what}" is not a valid City KEM ${what}`);
}

function stripArmour(text: string): string {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  return match ? (match[2] ?? '') : text;
}

function decode(text: unknown, kind: number, what: 'publicKey' | 'privateKey') {
  if (typeof text !== 'string') {
    throw new KeyVaultError('INVALID_ARGUMENT', `"${what}" expected string, got ${typeof text}`);
  }
  if (text.length > 16_384) throw malformed(what);
  const bytes = decodeBase64Strict(stripArmour(text));
  if (bytes === undefined || bytes.length < HEADER_LENGTH) throw malformed(what);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed(what);
  if (bytes[4] !== VERSION || bytes[5] !== kind) throw malformed(what);
  const algorithm = algorithmFromId(bytes[6] ?? -1);
  if (algorithm === undefined) {
    throw new KeyVaultError('KEM_ALGORITHM_UNSUPPORTED', `"${what}" names an unsupported KEM algorithm`);
  }
  return { algorithm, body: bytes.subarray(HEADER_LENGTH), backend: kemBackend(algorithm) };
}

export function decodePublicKey(text: unknown): DecodedPublicKey {
  const { algorithm, body, backend } = decode(text, KIND_PUBLIC, 'publicKey');
  if (body.length !== backend.publicKeyLength) throw malformed('publicKey');
  return { algorithm, publicKey: body, keyId: computeKeyId(algorithm, body) };
}

export function decodePrivateKey(text: unknown): DecodedPrivateKey {
  const { algorithm, body, backend } = decode(text, KIND_PRIVATE, 'privateKey');
  if (body.length !== backend.secretKeyLength + backend.publicKeyLength) throw malformed('privateKey');
  const secretKey = body.subarray(0, backend.secretKeyLength);
  const publicKey = body.subarray(backend.secretKeyLength);
  return { algorithm, secretKey, publicKey, keyId: computeKeyId(algorithm, publicKey) };
}
