import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeCapsule } from '../src/decode-capsule.js';
import { encodeCapsule } from '../src/encode-capsule.js';
import { generateKemKeyPair, kemKeyPairFromPrivateKey } from '../src/generate-kem-key-pair.js';
import { DEFAULT_KEM_ALGORITHM, KEM_ALGORITHMS } from '../src/kem-algorithm.js';
import { readCapsuleHeader } from '../src/read-capsule-header.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { wrapKey } from '../src/wrap-key.js';

// Sizes published by the algorithm specifications (NTRU round 3, NTRU Prime, FIPS 203, RFC 7748).
const KEM_CIPHERTEXT_BYTES: Record<string, number> = {
  'ntru-hrss-701': 1138,
  'ntru-hps-2048-677': 930,
  sntrup761: 1039,
  'ml-kem-768': 1088,
  'ml-kem-1024': 1568,
  'x25519+ntru-hrss-701': 1138 + 32,
  'x25519+ml-kem-768': 1088 + 32,
};

describe('wrap/unwrap round trip for every KEM', () => {
  it('defaults to NTRU-HRSS-701', async () => {
    expect(DEFAULT_KEM_ALGORITHM).toBe('ntru-hrss-701');
    expect((await generateKemKeyPair()).algorithm).toBe('ntru-hrss-701');
  });

  for (const algorithm of KEM_ALGORITHMS) {
    it(algorithm, async () => {
      const pair = await generateKemKeyPair(algorithm);
      expect(pair.algorithm).toBe(algorithm);
      expect(pair.keyId).toMatch(/^[0-9a-f]{16}$/);
      const now = new Date('2026-01-02T03:04:05.678Z');
      for (const length of [1, 32, 96, 1024]) {
        const key = new Uint8Array(randomBytes(length));
        const capsule = await wrapKey(key, pair.publicKey, { now, label: 'test/label', keyId: pair.keyId });
        expect(capsule.length).toBe(
          4 + 1 + 1 + 8 + 8 + 2 + KEM_CIPHERTEXT_BYTES[algorithm]! + 12 + 2 + length + 16,
        );
        expect(await unwrapKey(capsule, pair.privateKey, { label: 'test/label' })).toEqual(key);
        const header = readCapsuleHeader(capsule);
        expect(header).toEqual({
          version: 1,
          algorithm,
          keyId: pair.keyId,
          createdAt: now,
          keyLength: length,
          byteLength: capsule.length,
        });
        expect(decodeCapsule(encodeCapsule(capsule))).toEqual(capsule);
      }
    });
  }

  it('produces a fresh KEM ciphertext and nonce for every wrap', async () => {
    const pair = await generateKemKeyPair();
    const key = new Uint8Array(96);
    const a = await wrapKey(key, pair.publicKey);
    const b = await wrapKey(key, pair.publicKey);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('rebuilds the key pair from the private key', async () => {
    for (const algorithm of KEM_ALGORITHMS) {
      const pair = await generateKemKeyPair(algorithm);
      const rebuilt = kemKeyPairFromPrivateKey(pair.privateKey);
      expect({ ...rebuilt }).toEqual({ ...pair });
    }
  });

  it('keys are self-describing base64 and key pairs redact the private key', async () => {
    const pair = await generateKemKeyPair('x25519+ml-kem-768');
    const bytes = Buffer.from(pair.publicKey, 'base64');
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('CKVK');
    expect(bytes[5]).toBe(0x50);
    expect(bytes[6]).toBe(0x14);
    expect(Buffer.from(pair.privateKey, 'base64')[5]).toBe(0x53);
    for (const shown of [JSON.stringify(pair), inspect(pair), String(pair), `${pair}`]) {
      expect(shown).not.toContain(pair.privateKey);
      expect(shown).not.toContain(pair.privateKey.slice(0, 40));
    }
    expect(JSON.stringify(pair)).toContain(pair.publicKey);
  });
});
