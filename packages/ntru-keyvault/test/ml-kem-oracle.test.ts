/**
 * Native ML-KEM (OpenSSL via node:crypto) cross-checked against @noble/post-quantum, an independent
 * FIPS 203 implementation: same seed → same public key, and encapsulation in one decapsulates in the other.
 */
import {
  createPrivateKey,
  createPublicKey,
  decapsulate,
  encapsulate,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';

const NOBLE = { 'ml-kem-768': ml_kem768, 'ml-kem-1024': ml_kem1024 } as const;

describe('ML-KEM against @noble/post-quantum', () => {
  for (const name of ['ml-kem-768', 'ml-kem-1024'] as const) {
    const noble = NOBLE[name];
    it(`${name}: a 64-byte seed gives the same public key in both`, () => {
      for (let i = 0; i < 3; i++) {
        const seed = randomBytes(64);
        const node = createPrivateKey({ key: seed, format: 'raw-seed', asymmetricKeyType: name });
        const nodePublic = createPublicKey(node).export({ format: 'raw-public' });
        expect(Buffer.from(noble.keygen(seed).publicKey)).toEqual(Buffer.from(nodePublic));
      }
    });

    it(`${name}: noble encapsulates to a node key, node decapsulates`, () => {
      const { publicKey, privateKey } = generateKeyPairSync(name);
      const { cipherText, sharedSecret } = noble.encapsulate(publicKey.export({ format: 'raw-public' }));
      expect(Buffer.from(decapsulate(privateKey, cipherText))).toEqual(Buffer.from(sharedSecret));
    });

    it(`${name}: node encapsulates to a noble key, noble decapsulates`, () => {
      const keys = noble.keygen(randomBytes(64));
      const publicKey = createPublicKey({
        key: Buffer.from(keys.publicKey),
        format: 'raw-public',
        asymmetricKeyType: name,
      });
      const { ciphertext, sharedKey } = encapsulate(publicKey);
      expect(Buffer.from(noble.decapsulate(ciphertext, keys.secretKey))).toEqual(Buffer.from(sharedKey));
    });
  }

  it('the vault key encoding carries the FIPS 203 seed: noble derives the encoded public key', async () => {
    const pair = await generateKemKeyPair('ml-kem-768');
    const privateBytes = Buffer.from(pair.privateKey, 'base64');
    const seed = privateBytes.subarray(7, 7 + 64);
    const publicRaw = Buffer.from(pair.publicKey, 'base64').subarray(7);
    expect(Buffer.from(ml_kem768.keygen(seed).publicKey)).toEqual(publicRaw);
  });
});
