/**
 * Capsule tampering: every byte position flipped must fail, truncated or padded capsules are
 * malformed, and no variant ever unwraps to any key.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { KEM_ALGORITHMS } from '../src/kem-algorithm.js';
import { KeyVaultError } from '../src/keyvault-error.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { wrapKey } from '../src/wrap-key.js';

const ACCEPTED = ['KEYVAULT_UNWRAP_FAILED', 'CAPSULE_MALFORMED', 'CAPSULE_UNSUPPORTED_VERSION'];

async function failureCode(capsule: Uint8Array, privateKey: string): Promise<string> {
  try {
    await unwrapKey(capsule, privateKey);
  } catch (error) {
    if (error instanceof KeyVaultError) return error.code;
    throw error;
  }
  return 'UNWRAPPED';
}

describe('capsule tampering', () => {
  it('every single-byte flip of an NTRU-HRSS-701 capsule fails (all positions, two bit patterns)', async () => {
    const pair = await generateKemKeyPair('ntru-hrss-701');
    const capsule = await wrapKey(new Uint8Array(randomBytes(96)), pair.publicKey);
    const codes = new Map<string, number>();
    for (let position = 0; position < capsule.length; position++) {
      for (const mask of [0x01, 0x80]) {
        const tampered = capsule.slice();
        tampered[position]! ^= mask;
        const code = await failureCode(tampered, pair.privateKey);
        expect(ACCEPTED, `position ${position} mask ${mask}`).toContain(code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // The bulk (KEM ciphertext, nonce, body, tag) must fail authentication, not parsing.
    expect(codes.get('KEYVAULT_UNWRAP_FAILED')).toBeGreaterThan(capsule.length);
  }, 60_000);

  for (const algorithm of KEM_ALGORITHMS.filter((a) => a !== 'ntru-hrss-701')) {
    it(`dense sample of flips fails for ${algorithm}`, async () => {
      const pair = await generateKemKeyPair(algorithm);
      const capsule = await wrapKey(new Uint8Array(randomBytes(96)), pair.publicKey);
      const positions = new Set<number>();
      for (let p = 0; p < 40; p++) positions.add(p); // the whole header
      for (let p = 40; p < capsule.length; p += 7) positions.add(p);
      for (let p = capsule.length - 40; p < capsule.length; p++) positions.add(p); // nonce, body, tag
      for (const position of positions) {
        const tampered = capsule.slice();
        tampered[position]! ^= 1 << (position % 8);
        expect(ACCEPTED, `position ${position}`).toContain(await failureCode(tampered, pair.privateKey));
      }
    }, 60_000);
  }

  it('every truncation and any appended byte is CAPSULE_MALFORMED', async () => {
    const pair = await generateKemKeyPair('ml-kem-768');
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey);
    for (let length = 0; length < capsule.length; length++) {
      expect(await failureCode(capsule.subarray(0, length), pair.privateKey)).toBe('CAPSULE_MALFORMED');
    }
    for (const extra of [1, 16, 10_000]) {
      const padded = new Uint8Array(capsule.length + extra);
      padded.set(capsule);
      expect(await failureCode(padded, pair.privateKey)).toBe('CAPSULE_MALFORMED');
    }
  });

  it('an unknown version is CAPSULE_UNSUPPORTED_VERSION', async () => {
    const pair = await generateKemKeyPair('ml-kem-768');
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey);
    capsule[4] = 2;
    expect(await failureCode(capsule, pair.privateKey)).toBe('CAPSULE_UNSUPPORTED_VERSION');
  });

  it('failures carry one fixed message that names nothing', async () => {
    const pair = await generateKemKeyPair('ntru-hrss-701');
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey);
    capsule[capsule.length - 1]! ^= 1;
    await expect(unwrapKey(capsule, pair.privateKey)).rejects.toThrow(/^key unwrap failed$/);
  });
});
