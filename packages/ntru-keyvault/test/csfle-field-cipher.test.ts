/**
 * The CSFLE-format FieldCipher: chosen attributes are written as CSFLE payloads that the codec
 * (checked against real libmongocrypt in db-integration) decrypts, deterministic ones repeat, random
 * ones do not; a value moved to another attribute fails; `f1.` values and other tables go to the
 * fallback cipher, so data written before stays readable.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CSFLE_FIELD_PREFIX, createCsfleFieldCipher } from '../src/create-csfle-field-cipher.js';
import { createCsfleLocalDataKey, decryptCsfleString } from '../src/csfle-local-codec.js';
import { KeyVault } from '../src/key-vault.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
const fallback = await vault.fieldCipher('pii');
const master = new Uint8Array(randomBytes(96));
const keyOf = (algorithm: 'deterministic' | 'random') => {
  const { document, dataKey } = createCsfleLocalDataKey(master);
  return { keyId: document._id, dataKey, algorithm };
};
const email = keyOf('deterministic');
const phone = keyOf('random');
const cipher = createCsfleFieldCipher({
  fallback,
  table: 'users',
  fields: new Map([
    ['email', email],
    ['phone', phone],
  ]),
});
const at = (attribute: string, recordKey = 'u1') => ({ table: 'users', recordKey, attribute });
const payloadOf = (value: string) =>
  new Uint8Array(Buffer.from(value.slice(CSFLE_FIELD_PREFIX.length), 'base64url'));

describe('createCsfleFieldCipher', () => {
  it('writes CSFLE payloads the codec decrypts with the attribute data key', () => {
    const stored = cipher.encrypt('alice@example.org', at('email'));
    expect(stored.startsWith(CSFLE_FIELD_PREFIX)).toBe(true);
    expect(decryptCsfleString(email.dataKey, payloadOf(stored))).toBe('alice@example.org');
    expect(cipher.decrypt(stored, at('email'))).toBe('alice@example.org');
  });

  it('is deterministic for looked-up attributes and random elsewhere', () => {
    expect(cipher.encrypt('a@example.org', at('email'))).toBe(
      cipher.encrypt('a@example.org', at('email', 'u2')),
    );
    expect(payloadOf(cipher.encrypt('a@example.org', at('email')))[0]).toBe(1);
    const first = cipher.encrypt('+81 90', at('phone'));
    expect(cipher.encrypt('+81 90', at('phone'))).not.toBe(first);
    expect(payloadOf(first)[0]).toBe(2);
  });

  it('ciphertext swap between attributes: a value moved to another attribute fails', async () => {
    const stored = cipher.encrypt('alice@example.org', at('email'));
    await expectCode(() => cipher.decrypt(stored, at('phone')), 'FIELD_DECRYPT_FAILED');
    await expectCode(() => cipher.decrypt(stored, at('name')), 'FIELD_DECRYPT_FAILED');
    const tampered = `${stored.slice(0, -2)}${stored.endsWith('A') ? 'B' : 'A'}A`;
    await expectCode(() => cipher.decrypt(tampered, at('email')), 'FIELD_DECRYPT_FAILED');
  });

  it('keeps other attributes, other tables and values written before in the f1 format', () => {
    const name = cipher.encrypt('Alice', at('name'));
    expect(name.startsWith('f1.')).toBe(true);
    expect(cipher.decrypt(name, at('name'))).toBe('Alice');
    const before = fallback.encrypt('old@example.org', at('email'));
    expect(cipher.decrypt(before, at('email'))).toBe('old@example.org');
    expect(
      cipher.encrypt('x', { table: 'other', recordKey: 'r', attribute: 'email' }).startsWith('f1.'),
    ).toBe(true);
    expect(cipher.blindIndex('email', 'a@example.org')).toBe(fallback.blindIndex('email', 'a@example.org'));
    expect(cipher.dataKeyId).toBe(fallback.dataKeyId);
  });
});
