/** The FieldCipher implementation (internal); format documented in field-cipher.ts and README. */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { FieldCipher, FieldContext } from '../field-cipher.js';
import { KeyVaultError } from '../keyvault-error.js';
import { lengthPrefixed, toBase64Url } from './_bytes.js';
import { redactSecrets } from './_redact.js';

const VERSION = 'f1';
const MAX_PLAINTEXT_BYTES = 1 << 20;
const MAX_CONTEXT_LENGTH = 1024;
const PURPOSE = /^[a-z0-9][a-z0-9:._-]{0,63}$/;

export function assertPurpose(purpose: unknown, name = 'purpose'): asserts purpose is string {
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw new KeyVaultError(
      'INVALID_ARGUMENT',
      `"${name}" expected 1..64 characters of [a-z0-9:._-], got ${typeof purpose === 'string' ? JSON.stringify(purpose.slice(0, 70)) : typeof purpose}`,
    );
  }
}

function assertContext(context: unknown): FieldContext {
  if (typeof context !== 'object' || context === null) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"context" expected { table, recordKey, attribute }`);
  }
  for (const key of ['table', 'recordKey', 'attribute'] as const) {
    const value = (context as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CONTEXT_LENGTH) {
      throw new KeyVaultError('INVALID_ARGUMENT', `"context.${key}" expected a string of 1..1024 characters`);
    }
  }
  return context as FieldContext;
}

function decryptFailed(): KeyVaultError {
  return new KeyVaultError('FIELD_DECRYPT_FAILED', 'field decryption failed');
}

/** Strict base64url without padding; undefined when not canonical. */
function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : undefined;
}

export function normaliseBlindIndexValue(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

export function deriveFieldKey(dataKey: Uint8Array, info: Uint8Array | string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', dataKey, 'city/field-cipher/v1', info, 32));
}

export function createFieldCipher(dataKeyId: string, dataKey: Uint8Array): FieldCipher {
  // KeyObjects made once: passing raw bytes would re-import the key on every call.
  const encryptionKey = createSecretKey(deriveFieldKey(dataKey, 'aes-256-gcm'));
  const blindKeys = new Map<string, KeyObject>();
  const aad = (context: FieldContext) =>
    lengthPrefixed('city/field/v1', dataKeyId, context.table, context.recordKey, context.attribute);

  const cipher: FieldCipher = {
    dataKeyId,
    encrypt(plaintext, context) {
      if (typeof plaintext !== 'string') {
        throw new KeyVaultError('INVALID_ARGUMENT', `"plaintext" expected string, got ${typeof plaintext}`);
      }
      if (!plaintext.isWellFormed()) {
        throw new KeyVaultError('INVALID_ARGUMENT', '"plaintext" contains a lone surrogate');
      }
      const data = Buffer.from(plaintext, 'utf8');
      if (data.length > MAX_PLAINTEXT_BYTES) {
        throw new KeyVaultError(
          'INVALID_ARGUMENT',
          `"plaintext" expected at most 1048576 bytes, got ${data.length}`,
        );
      }
      const checked = assertContext(context);
      const nonce = randomBytes(12);
      const gcm = createCipheriv('aes-256-gcm', encryptionKey, nonce);
      gcm.setAAD(aad(checked));
      const body = Buffer.concat([gcm.update(data), gcm.final(), gcm.getAuthTag()]);
      return `${VERSION}.${dataKeyId}.${toBase64Url(nonce)}.${toBase64Url(body)}`;
    },
    decrypt(ciphertext, context) {
      if (typeof ciphertext !== 'string') {
        throw new KeyVaultError('INVALID_ARGUMENT', `"ciphertext" expected string, got ${typeof ciphertext}`);
      }
      const checked = assertContext(context);
      if (ciphertext.length > MAX_PLAINTEXT_BYTES * 2) throw decryptFailed();
      const parts = ciphertext.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION || parts[1] !== dataKeyId) throw decryptFailed();
      const nonce = fromBase64Url(parts[2] ?? '');
      const body = fromBase64Url(parts[3] ?? '');
      if (nonce === undefined || nonce.length !== 12 || body === undefined || body.length < 16)
        throw decryptFailed();
      try {
        const gcm = createDecipheriv('aes-256-gcm', encryptionKey, nonce);
        gcm.setAAD(aad(checked));
        gcm.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([gcm.update(body.subarray(0, body.length - 16)), gcm.final()]).toString('utf8');
      } catch {
        throw decryptFailed();
      }
    },
    blindIndex(purpose, value) {
      assertPurpose(purpose);
      if (typeof value !== 'string') {
        throw new KeyVaultError('INVALID_ARGUMENT', `"value" expected string, got ${typeof value}`);
      }
      if (value.length > MAX_CONTEXT_LENGTH * 4) {
        throw new KeyVaultError('INVALID_ARGUMENT', '"value" expected at most 4096 characters');
      }
      let key = blindKeys.get(purpose);
      if (key === undefined) {
        key = createSecretKey(deriveFieldKey(dataKey, lengthPrefixed('blind-index', purpose)));
        blindKeys.set(purpose, key);
      }
      return createHmac('sha256', key).update(normaliseBlindIndexValue(value), 'utf8').digest('hex');
    },
  };
  return redactSecrets(cipher, []);
}
