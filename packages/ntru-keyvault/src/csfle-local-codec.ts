/**
 * MongoDB client-side field level encryption (CSFLE) in its own wire format, without the native
 * `mongodb-client-encryption` module: data key documents of the `local` KMS provider and
 * explicitly encrypted string fields (BinData subtype 6), exactly as libmongocrypt writes and reads
 * them, so any driver with CSFLE decrypts what this writes and the other way round.
 *
 * Follows the MongoDB Client Side Encryption specification, algorithms
 * `AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic` (1) and `-Random` (2): a 96-byte key is split into
 * MAC key, encryption key and IV key (32 bytes each); C = IV ‖ AES-256-CBC(P, PKCS#7);
 * T = HMAC-SHA-512(MAC key, A ‖ C ‖ AL)[0..32] with AL the 64-bit big-endian bit length of the
 * associated data A; the deterministic IV is HMAC-SHA-512(IV key, A ‖ AL ‖ P)[0..16]. A data key's
 * `keyMaterial` is its 96 bytes encrypted that way (random IV, empty A) under the local master
 * key. A field ciphertext is `algorithm ‖ key UUID ‖ BSON type ‖ C ‖ T`, with its first 18 bytes
 * as A. The tag is compared in constant time; data keys are zeroed when the codec is closed.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KeyVaultError } from './keyvault-error.js';

/** Deterministic encryption allows equality lookups; random encryption does not. */
export type CsfleAlgorithm = 'deterministic' | 'random';

/** A key vault collection document of the `local` KMS provider. */
export interface CsfleLocalDataKeyDocument {
  /** UUID (16 bytes; stored as BinData subtype 4). */
  readonly _id: Uint8Array;
  /** The 96-byte data key encrypted under the local master key (160 bytes). */
  readonly keyMaterial: Uint8Array;
  readonly creationDate: Date;
  readonly updateDate: Date;
  readonly status: 0;
  readonly masterKey: { readonly provider: 'local' };
  readonly keyAltNames?: readonly string[];
}

const KEY_LENGTH = 96;
const ALGORITHM_BYTE: Readonly<Record<CsfleAlgorithm, number>> = { deterministic: 1, random: 2 };
const BSON_STRING = 0x02;
const MIN_AEAD_LENGTH = 16 + 16 + 32;

function hmacSha512(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac('sha512', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function bitLength(associatedData: Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(associatedData.length) * 8n);
  return out;
}

function assertKey(key: unknown, name: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array))
    throw new KeyVaultError('INVALID_ARGUMENT', `"${name}" expected a Uint8Array`);
  if (key.length !== KEY_LENGTH) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"${name}" expected ${KEY_LENGTH} bytes, got ${key.length}`);
  }
}

function aeadEncrypt(
  key: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
  deterministic: boolean,
): Buffer {
  const macKey = key.subarray(0, 32);
  const encKey = key.subarray(32, 64);
  const ivKey = key.subarray(64, 96);
  const al = bitLength(associatedData);
  const iv = deterministic
    ? hmacSha512(ivKey, associatedData, al, plaintext).subarray(0, 16)
    : randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', encKey, iv);
  const c = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  const tag = hmacSha512(macKey, associatedData, c, al).subarray(0, 32);
  return Buffer.concat([c, tag]);
}

function aeadDecrypt(key: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array): Buffer {
  if (ciphertext.length < MIN_AEAD_LENGTH || (ciphertext.length - 48) % 16 !== 0) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'CSFLE ciphertext has an impossible length');
  }
  const c = ciphertext.subarray(0, ciphertext.length - 32);
  const tag = ciphertext.subarray(ciphertext.length - 32);
  const expected = hmacSha512(key.subarray(0, 32), associatedData, c, bitLength(associatedData)).subarray(
    0,
    32,
  );
  if (!timingSafeEqual(tag, expected)) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'CSFLE ciphertext authentication failed');
  }
  try {
    const decipher = createDecipheriv('aes-256-cbc', key.subarray(32, 64), c.subarray(0, 16));
    return Buffer.concat([decipher.update(c.subarray(16)), decipher.final()]);
  } catch (cause) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'CSFLE ciphertext authentication failed', { cause });
  }
}

function uuidV4Bytes(): Buffer {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return bytes;
}

/**
 * A new data key and its key vault document, wrapped under the local master key (the key vault's
 * 96-byte master key).
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for a master key that is not 96 bytes or bad alt names.
 * @example
 * ```ts
 * const { document } = createCsfleLocalDataKey(vault.masterKey, { keyAltNames: ['pii'] });
 * await client.db('encryption').collection('__keyVault').insertOne({ ...document, _id: new Binary(document._id, 4) });
 * ```
 */
export function createCsfleLocalDataKey(
  masterKey: Uint8Array,
  options: { readonly keyAltNames?: readonly string[]; readonly now?: Date } = {},
): { readonly document: CsfleLocalDataKeyDocument; readonly dataKey: Uint8Array } {
  assertKey(masterKey, 'masterKey');
  const names = options.keyAltNames;
  if (
    names !== undefined &&
    !(Array.isArray(names) && names.every((n) => typeof n === 'string' && n !== ''))
  ) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"keyAltNames" expected non-empty strings');
  }
  const dataKey = new Uint8Array(randomBytes(KEY_LENGTH));
  const now = options.now ?? new Date();
  const document: CsfleLocalDataKeyDocument = {
    _id: new Uint8Array(uuidV4Bytes()),
    keyMaterial: new Uint8Array(aeadEncrypt(masterKey, dataKey, new Uint8Array(0), false)),
    creationDate: now,
    updateDate: now,
    status: 0,
    masterKey: { provider: 'local' },
    ...(names === undefined ? {} : { keyAltNames: [...names] }),
  };
  return { document, dataKey };
}

/**
 * The 96-byte data key inside a `local` key vault document.
 *
 * @throws KeyVaultError `FIELD_DECRYPT_FAILED` when the master key is not the one that wrapped it.
 * @example
 * ```ts
 * const dataKey = unwrapCsfleLocalDataKey(vault.masterKey, keyDocument.keyMaterial.buffer);
 * ```
 */
export function unwrapCsfleLocalDataKey(masterKey: Uint8Array, keyMaterial: Uint8Array): Uint8Array {
  assertKey(masterKey, 'masterKey');
  if (!(keyMaterial instanceof Uint8Array)) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"keyMaterial" expected a Uint8Array');
  }
  const dataKey = aeadDecrypt(masterKey, keyMaterial, new Uint8Array(0));
  if (dataKey.length !== KEY_LENGTH) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'the key material does not hold a 96-byte data key');
  }
  return new Uint8Array(dataKey);
}

function bsonString(value: string): Buffer {
  const utf8 = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(4 + utf8.length + 1);
  out.writeInt32LE(utf8.length + 1, 0);
  utf8.copy(out, 4);
  return out;
}

/**
 * Encrypts a string field: the BinData subtype 6 payload a driver stores for it.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for a bad key, key id, algorithm or value.
 * @example
 * ```ts
 * const payload = encryptCsfleString(dataKey, keyId, 'alice@example.org', 'deterministic');
 * await users.insertOne({ _id, email: new Binary(payload, 6) });
 * ```
 */
export function encryptCsfleString(
  dataKey: Uint8Array,
  keyId: Uint8Array,
  value: string,
  algorithm: CsfleAlgorithm,
): Uint8Array {
  assertKey(dataKey, 'dataKey');
  if (!(keyId instanceof Uint8Array) || keyId.length !== 16) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"keyId" expected a 16-byte UUID');
  }
  if (typeof value !== 'string' || value.includes('\u0000') || !value.isWellFormed()) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"value" expected a well-formed string without NUL');
  }
  const algorithmByte = ALGORITHM_BYTE[algorithm];
  if (algorithmByte === undefined) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"algorithm" expected 'deterministic' or 'random'`);
  }
  const associatedData = Buffer.concat([Buffer.of(algorithmByte), keyId, Buffer.of(BSON_STRING)]);
  return new Uint8Array(
    Buffer.concat([
      associatedData,
      aeadEncrypt(dataKey, bsonString(value), associatedData, algorithmByte === 1),
    ]),
  );
}

/** The key id (UUID bytes) a field ciphertext names, to look its data key up. */
export function csfleKeyIdOf(payload: Uint8Array): Uint8Array {
  if (!(payload instanceof Uint8Array) || payload.length < 18 + MIN_AEAD_LENGTH) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'not a CSFLE ciphertext');
  }
  return payload.slice(1, 17);
}

/**
 * Decrypts a string field's BinData subtype 6 payload.
 *
 * @throws KeyVaultError `FIELD_DECRYPT_FAILED` for a wrong key, a tampered payload or a non-string value.
 * @example
 * ```ts
 * const email = decryptCsfleString(dataKey, doc.email.buffer);
 * ```
 */
export function decryptCsfleString(dataKey: Uint8Array, payload: Uint8Array): string {
  assertKey(dataKey, 'dataKey');
  csfleKeyIdOf(payload);
  const algorithmByte = payload[0];
  if (algorithmByte !== 1 && algorithmByte !== 2) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'not a CSFLE FLE1 ciphertext');
  }
  const associatedData = payload.subarray(0, 18);
  const plaintext = aeadDecrypt(dataKey, payload.subarray(18), associatedData);
  if (payload[17] !== BSON_STRING || plaintext.length < 5) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'the CSFLE ciphertext does not hold a string');
  }
  const length = plaintext.readInt32LE(0);
  if (length !== plaintext.length - 4 || plaintext[plaintext.length - 1] !== 0) {
    throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'the CSFLE ciphertext holds a malformed string');
  }
  return plaintext.subarray(4, plaintext.length - 1).toString('utf8');
}
