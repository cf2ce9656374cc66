import { describe, expect, it } from 'vitest';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { KEM_ALGORITHMS } from '../src/kem-algorithm.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { wrapKey } from '../src/wrap-key.js';
import { expectCode } from './_helpers.js';

describe('wrong private key or label', () => {
  for (const algorithm of KEM_ALGORITHMS) {
    it(`another ${algorithm} key fails cleanly`, async () => {
      const right = await generateKemKeyPair(algorithm);
      const wrong = await generateKemKeyPair(algorithm);
      const capsule = await wrapKey(new Uint8Array(96).fill(1), right.publicKey);
      const error = await expectCode(unwrapKey(capsule, wrong.privateKey), 'KEYVAULT_UNWRAP_FAILED');
      expect(error.message).toBe('key unwrap failed');
    });
  }

  it('a key of another algorithm fails cleanly', async () => {
    const ntru = await generateKemKeyPair('ntru-hrss-701');
    const mlkem = await generateKemKeyPair('ml-kem-768');
    const capsule = await wrapKey(new Uint8Array(32), ntru.publicKey);
    await expectCode(unwrapKey(capsule, mlkem.privateKey), 'KEYVAULT_UNWRAP_FAILED');
  });

  it('a capsule relabelled with the victim key id still fails (the header is authenticated)', async () => {
    const victim = await generateKemKeyPair('ml-kem-768');
    const attacker = await generateKemKeyPair('ml-kem-768');
    const capsule = await wrapKey(new Uint8Array(32), attacker.publicKey);
    capsule.set(Buffer.from(victim.keyId, 'hex'), 6);
    await expectCode(unwrapKey(capsule, victim.privateKey), 'KEYVAULT_UNWRAP_FAILED');
  });

  it('a different context label fails', async () => {
    const pair = await generateKemKeyPair('x25519+ml-kem-768');
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey, { label: 'city/a' });
    await expectCode(unwrapKey(capsule, pair.privateKey, { label: 'city/b' }), 'KEYVAULT_UNWRAP_FAILED');
    await expectCode(unwrapKey(capsule, pair.privateKey), 'KEYVAULT_UNWRAP_FAILED');
  });

  it('a hybrid capsule whose X25519 half is replaced fails', async () => {
    const pair = await generateKemKeyPair('x25519+ntru-hrss-701');
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey);
    // Replace the X25519 ephemeral public key (last 32 bytes of the KEM ciphertext) with a low-order point.
    capsule.fill(0, 24 + 1138, 24 + 1138 + 32);
    await expectCode(unwrapKey(capsule, pair.privateKey), 'KEYVAULT_UNWRAP_FAILED');
  });
});
