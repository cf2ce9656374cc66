/**
 * KEM back ends (internal): liboqs WebAssembly for NTRU / NTRU Prime, native node:crypto for ML-KEM
 * (FIPS 203) and X25519 (RFC 7748), and the hybrid combiner.
 *
 * Hybrid combiner, in the style of X-Wing (draft-connolly-cfrg-xwing-kem) and
 * draft-ietf-lamps-pq-composite-kem: the combined secret is
 *   SHA3-256( LP("city/hybrid-kem/v1") ‖ LP(algorithm) ‖ LP(ss_pq) ‖ LP(ss_x25519)
 *             ‖ LP(ct_pq) ‖ LP(ct_x25519) ‖ LP(pk_pq) ‖ LP(pk_x25519) )
 * where LP is a 4-byte big-endian length prefix. Binding both ciphertexts and both public keys keeps
 * the combined KEM IND-CCA as long as either component is (X-Wing's argument), and the X25519
 * ciphertext/public key must be bound because X25519 alone is not a CCA-secure KEM.
 *
 * Constant-time: ML-KEM and X25519 are OpenSSL's constant-time code; liboqs' NTRU implementations
 * are its portable constant-time reference code compiled to WebAssembly (the WASM engine gives no
 * formal guarantee).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  decapsulate as nodeDecapsulate,
  encapsulate as nodeEncapsulate,
} from 'node:crypto';
import {
  createNTRUHps2048677,
  createNTRUHrss701,
  createSntrup761,
  NTRU_HPS_2048_677_INFO,
  NTRU_HRSS_701_INFO,
  SNTRUP761_INFO,
} from '@oqs/liboqs-js';
import type { KemAlgorithm } from '../kem-algorithm.js';
import { KeyVaultError } from '../keyvault-error.js';
import { concatBytes, lengthPrefixed } from './_bytes.js';

/** Raw key material of one algorithm: secret is what decapsulation needs besides the public key. */
export interface RawKemKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface KemEncapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

interface KemBackend {
  readonly id: number;
  readonly publicKeyLength: number;
  readonly secretKeyLength: number;
  readonly ciphertextLength: number;
  generate(): Promise<RawKemKeyPair>;
  encapsulate(publicKey: Uint8Array): Promise<KemEncapsulation>;
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

interface OqsKem {
  generateKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

interface OqsInfo {
  readonly keySize: {
    readonly publicKey: number;
    readonly secretKey: number;
    readonly ciphertext?: number;
  };
}

function oqsBackend(id: number, info: OqsInfo, create: () => Promise<OqsKem>): KemBackend {
  // One WebAssembly instance per algorithm for the life of the process: instantiation costs far
  // more than an encapsulation, and the instance holds no key material between calls.
  const ciphertextLength = info.keySize.ciphertext;
  if (ciphertextLength === undefined) throw new Error('liboqs KEM metadata lacks a ciphertext size');
  let instance: Promise<OqsKem> | undefined;
  const kem = (): Promise<OqsKem> => {
    instance ??= create();
    return instance;
  };
  return {
    id,
    publicKeyLength: info.keySize.publicKey,
    secretKeyLength: info.keySize.secretKey,
    ciphertextLength,
    async generate() {
      const { publicKey, secretKey } = (await kem()).generateKeyPair();
      return { publicKey, secretKey };
    },
    async encapsulate(publicKey) {
      const { ciphertext, sharedSecret } = (await kem()).encapsulate(publicKey);
      return { ciphertext, sharedSecret };
    },
    async decapsulate(ciphertext, secretKey) {
      return (await kem()).decapsulate(ciphertext, secretKey);
    },
  };
}

const ML_KEM_SIZES = {
  'ml-kem-768': { publicKey: 1184, ciphertext: 1088 },
  'ml-kem-1024': { publicKey: 1568, ciphertext: 1568 },
} as const;

function mlKemBackend(id: number, name: 'ml-kem-768' | 'ml-kem-1024'): KemBackend {
  return {
    id,
    publicKeyLength: ML_KEM_SIZES[name].publicKey,
    // The 64-byte seed (d ‖ z) of FIPS 203 ML-KEM.KeyGen_internal: the compact private form.
    secretKeyLength: 64,
    ciphertextLength: ML_KEM_SIZES[name].ciphertext,
    async generate() {
      const { publicKey, privateKey } = generateKeyPairSync(name);
      return {
        publicKey: new Uint8Array(publicKey.export({ format: 'raw-public' })),
        secretKey: new Uint8Array(privateKey.export({ format: 'raw-seed' })),
      };
    },
    async encapsulate(publicKey) {
      const key = createPublicKey({
        key: Buffer.from(publicKey),
        format: 'raw-public',
        asymmetricKeyType: name,
      });
      const { ciphertext, sharedKey } = nodeEncapsulate(key);
      return { ciphertext: new Uint8Array(ciphertext), sharedSecret: new Uint8Array(sharedKey) };
    },
    async decapsulate(ciphertext, secretKey) {
      const key = createPrivateKey({
        key: Buffer.from(secretKey),
        format: 'raw-seed',
        asymmetricKeyType: name,
      });
      return new Uint8Array(nodeDecapsulate(key, ciphertext));
    },
  };
}

function x25519Public(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(raw), format: 'raw-public', asymmetricKeyType: 'x25519' });
}

function x25519Private(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(raw), format: 'raw-private', asymmetricKeyType: 'x25519' });
}

const X25519_LENGTH = 32;

function hybridBackend(id: number, algorithm: KemAlgorithm, pq: KemBackend): KemBackend {
  const combine = (
    pqSecret: Uint8Array,
    xSecret: Uint8Array,
    pqCiphertext: Uint8Array,
    xCiphertext: Uint8Array,
    pqPublic: Uint8Array,
    xPublic: Uint8Array,
  ): Uint8Array =>
    new Uint8Array(
      createHash('sha3-256')
        .update(
          lengthPrefixed(
            'city/hybrid-kem/v1',
            algorithm,
            pqSecret,
            xSecret,
            pqCiphertext,
            xCiphertext,
            pqPublic,
            xPublic,
          ),
        )
        .digest(),
    );
  return {
    id,
    publicKeyLength: pq.publicKeyLength + X25519_LENGTH,
    secretKeyLength: pq.secretKeyLength + X25519_LENGTH,
    ciphertextLength: pq.ciphertextLength + X25519_LENGTH,
    async generate() {
      const inner = await pq.generate();
      const x = generateKeyPairSync('x25519');
      return {
        publicKey: concatBytes(inner.publicKey, x.publicKey.export({ format: 'raw-public' })),
        secretKey: concatBytes(inner.secretKey, x.privateKey.export({ format: 'raw-private' })),
      };
    },
    async encapsulate(publicKey) {
      const pqPublic = publicKey.subarray(0, pq.publicKeyLength);
      const xPublic = publicKey.subarray(pq.publicKeyLength);
      const inner = await pq.encapsulate(pqPublic);
      const ephemeral = generateKeyPairSync('x25519');
      const xCiphertext = new Uint8Array(ephemeral.publicKey.export({ format: 'raw-public' }));
      const xSecret = new Uint8Array(
        diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519Public(xPublic) }),
      );
      const sharedSecret = combine(
        inner.sharedSecret,
        xSecret,
        inner.ciphertext,
        xCiphertext,
        pqPublic,
        xPublic,
      );
      inner.sharedSecret.fill(0);
      xSecret.fill(0);
      return { ciphertext: concatBytes(inner.ciphertext, xCiphertext), sharedSecret };
    },
    async decapsulate(ciphertext, secretKey, publicKey) {
      const pqCiphertext = ciphertext.subarray(0, pq.ciphertextLength);
      const xCiphertext = ciphertext.subarray(pq.ciphertextLength);
      const pqPublic = publicKey.subarray(0, pq.publicKeyLength);
      const xPublic = publicKey.subarray(pq.publicKeyLength);
      const pqSecret = await pq.decapsulate(
        pqCiphertext,
        secretKey.subarray(0, pq.secretKeyLength),
        pqPublic,
      );
      // OpenSSL rejects an all-zero X25519 result (low-order point), which surfaces as an unwrap failure.
      const xSecret = new Uint8Array(
        diffieHellman({
          privateKey: x25519Private(secretKey.subarray(pq.secretKeyLength)),
          publicKey: x25519Public(xCiphertext),
        }),
      );
      const sharedSecret = combine(pqSecret, xSecret, pqCiphertext, xCiphertext, pqPublic, xPublic);
      pqSecret.fill(0);
      xSecret.fill(0);
      return sharedSecret;
    },
  };
}

const ntruHrss701 = oqsBackend(0x01, NTRU_HRSS_701_INFO, createNTRUHrss701);
const mlKem768 = mlKemBackend(0x04, 'ml-kem-768');

const BACKENDS: Readonly<Record<KemAlgorithm, KemBackend>> = {
  'ntru-hrss-701': ntruHrss701,
  'ntru-hps-2048-677': oqsBackend(0x02, NTRU_HPS_2048_677_INFO, createNTRUHps2048677),
  sntrup761: oqsBackend(0x03, SNTRUP761_INFO, createSntrup761),
  'ml-kem-768': mlKem768,
  'ml-kem-1024': mlKemBackend(0x05, 'ml-kem-1024'),
  'x25519+ntru-hrss-701': hybridBackend(0x11, 'x25519+ntru-hrss-701', ntruHrss701),
  'x25519+ml-kem-768': hybridBackend(0x14, 'x25519+ml-kem-768', mlKem768),
};

export function isKemAlgorithm(value: unknown): value is KemAlgorithm {
  return typeof value === 'string' && Object.hasOwn(BACKENDS, value);
}

export function kemBackend(algorithm: unknown): KemBackend {
  if (!isKemAlgorithm(algorithm)) {
    throw new KeyVaultError(
      'KEM_ALGORITHM_UNSUPPORTED',
      `"algorithm" must be one of ${Object.keys(BACKENDS).join(', ')}, got ${typeof algorithm === 'string' ? JSON.stringify(algorithm.slice(0, 40)) : typeof algorithm}`,
    );
  }
  return BACKENDS[algorithm];
}

export function algorithmFromId(id: number): KemAlgorithm | undefined {
  for (const [name, backend] of Object.entries(BACKENDS)) {
    if (backend.id === id && isKemAlgorithm(name)) return name;
  }
  return undefined;
}
