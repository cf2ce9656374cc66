/**
 * The CSFLE wire format written without the native module: known structure (lengths, header bytes),
 * an independent re-computation of the AEAD with node:crypto primitives, deterministic equality and
 * random non-equality, and the wrong-input / tampering matrix (ciphertext swap between keys, flipped
 * bytes, another master key). Interoperability with real libmongocrypt is proved in
 * @city/db-integration's csfle-libmongocrypt-interop test.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCsfleLocalDataKey,
  csfleKeyIdOf,
  decryptCsfleString,
  encryptCsfleString,
  unwrapCsfleLocalDataKey,
} from '../src/csfle-local-codec.js';
import { expectCode } from './_helpers.js';

const master = new Uint8Array(96).map((_, i) => (i * 7 + 3) & 0xff);

describe('CSFLE local data keys', () => {
  it('a 160-byte keyMaterial that unwraps to the 96-byte data key; a UUID v4 id', () => {
    const { document, dataKey } = createCsfleLocalDataKey(master, { keyAltNames: ['pii'] });
    expect(document.keyMaterial).toHaveLength(16 + 112 + 32);
    expect(document._id).toHaveLength(16);
    expect((document._id[6] ?? 0) >> 4).toBe(4);
    expect(document).toMatchObject({ status: 0, masterKey: { provider: 'local' }, keyAltNames: ['pii'] });
    expect(unwrapCsfleLocalDataKey(master, document.keyMaterial)).toEqual(dataKey);
  });

  it('another master key or a flipped byte does not unwrap', async () => {
    const { document } = createCsfleLocalDataKey(master);
    const other = master.map((b) => b ^ 1);
    await expectCode(() => unwrapCsfleLocalDataKey(other, document.keyMaterial), 'FIELD_DECRYPT_FAILED');
    for (const index of [0, 20, document.keyMaterial.length - 1]) {
      const tampered = document.keyMaterial.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      await expectCode(() => unwrapCsfleLocalDataKey(master, tampered), 'FIELD_DECRYPT_FAILED');
    }
  });
});

describe('CSFLE string fields', () => {
  const { document, dataKey } = createCsfleLocalDataKey(master);
  const keyId = document._id;

  it('header: algorithm byte, key UUID, BSON string type; AEAD recomputed independently', () => {
    const payload = encryptCsfleString(dataKey, keyId, 'alice@example.org', 'random');
    expect(payload[0]).toBe(2);
    expect(csfleKeyIdOf(payload)).toEqual(keyId);
    expect(payload[17]).toBe(0x02);
    const ad = payload.subarray(0, 18);
    const body = payload.subarray(18);
    const c = body.subarray(0, body.length - 32);
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(ad.length * 8));
    const tag = createHmac('sha512', dataKey.subarray(0, 32)).update(ad).update(c).update(al).digest();
    expect(Buffer.from(body.subarray(body.length - 32))).toEqual(tag.subarray(0, 32));
    const decipher = createDecipheriv('aes-256-cbc', dataKey.subarray(32, 64), c.subarray(0, 16));
    const bson = Buffer.concat([decipher.update(c.subarray(16)), decipher.final()]);
    expect(bson.readInt32LE(0)).toBe('alice@example.org'.length + 1);
    expect(bson.subarray(4, -1).toString('utf8')).toBe('alice@example.org');
  });

  it('deterministic: equal values give equal ciphertexts (equality lookups); random: never', () => {
    const a = encryptCsfleString(dataKey, keyId, '東京都', 'deterministic');
    const b = encryptCsfleString(dataKey, keyId, '東京都', 'deterministic');
    expect(a[0]).toBe(1);
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
    expect(Buffer.from(encryptCsfleString(dataKey, keyId, '大阪府', 'deterministic'))).not.toEqual(
      Buffer.from(a),
    );
    const r1 = encryptCsfleString(dataKey, keyId, '東京都', 'random');
    const r2 = encryptCsfleString(dataKey, keyId, '東京都', 'random');
    expect(Buffer.from(r1)).not.toEqual(Buffer.from(r2));
    for (const payload of [a, r1, r2]) expect(decryptCsfleString(dataKey, payload)).toBe('東京都');
    expect(decryptCsfleString(dataKey, encryptCsfleString(dataKey, keyId, '', 'random'))).toBe('');
  });

  it('ciphertext swap between keys, flipped bytes and truncation fail with FIELD_DECRYPT_FAILED', async () => {
    const otherKey = createCsfleLocalDataKey(master).dataKey;
    const payload = encryptCsfleString(dataKey, keyId, 'secret', 'random');
    await expectCode(() => decryptCsfleString(otherKey, payload), 'FIELD_DECRYPT_FAILED');
    for (const index of [0, 5, 17, 18, 40, payload.length - 1]) {
      const tampered = payload.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      await expectCode(() => decryptCsfleString(dataKey, tampered), 'FIELD_DECRYPT_FAILED');
    }
    for (const length of [0, 17, 18 + 63, payload.length - 1]) {
      await expectCode(() => decryptCsfleString(dataKey, payload.slice(0, length)), 'FIELD_DECRYPT_FAILED');
    }
  });

  it('wrong inputs name the parameter', async () => {
    await expectCode(() => createCsfleLocalDataKey(new Uint8Array(32)), 'INVALID_ARGUMENT');
    await expectCode(() => createCsfleLocalDataKey(master, { keyAltNames: [''] }), 'INVALID_ARGUMENT');
    await expectCode(
      () => encryptCsfleString(dataKey, new Uint8Array(15), 'x', 'random'),
      'INVALID_ARGUMENT',
    );
    await expectCode(() => encryptCsfleString(dataKey, keyId, 'a\u0000b', 'random'), 'INVALID_ARGUMENT');
    await expectCode(() => encryptCsfleString(dataKey, keyId, '\ud800', 'random'), 'INVALID_ARGUMENT');
    await expectCode(() => encryptCsfleString(dataKey, keyId, 'x', 'other' as never), 'INVALID_ARGUMENT');
    await expectCode(() => encryptCsfleString(dataKey, keyId, 42 as never, 'random'), 'INVALID_ARGUMENT');
    const error = await expectCode(
      () => decryptCsfleString(new Uint8Array(95), new Uint8Array(100)),
      'INVALID_ARGUMENT',
    );
    expect(error.message).toMatch(/"dataKey" expected 96 bytes, got 95/);
  });
});
