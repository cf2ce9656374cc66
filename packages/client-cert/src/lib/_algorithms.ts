/**
 * Signature profiles per key algorithm: the X.509 AlgorithmIdentifier (RFC 9881 for ML-DSA, RFC 8410 for
 * Ed25519, RFC 5758 for ECDSA, RFC 4055 for RSA) and the matching `node:crypto` call. Signatures are made and
 * checked with native `node:crypto` (OpenSSL 3.5), never with pkijs' WebCrypto engine, because WebCrypto in
 * Node marks ML-DSA experimental and pkijs does not know the ML-DSA identifiers.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { KeyAlgorithm } from '../key-algorithm.js';

export interface SignatureProfile {
  /** Signature AlgorithmIdentifier OID. */
  readonly oid: string;
  /** RFC 4055 requires NULL parameters for sha256WithRSAEncryption; every other profile omits them. */
  readonly nullParameters: boolean;
  /** Digest for `node:crypto` `sign`/`verify`; null means the algorithm hashes internally (ML-DSA, EdDSA). */
  readonly digest: 'sha256' | null;
}

export const SIGNATURE_PROFILES: Readonly<Record<KeyAlgorithm, SignatureProfile>> = Object.freeze({
  'ml-dsa-44': { oid: '2.16.840.1.101.3.4.3.17', nullParameters: false, digest: null },
  'ml-dsa-65': { oid: '2.16.840.1.101.3.4.3.18', nullParameters: false, digest: null },
  'ml-dsa-87': { oid: '2.16.840.1.101.3.4.3.19', nullParameters: false, digest: null },
  'ecdsa-p256': { oid: '1.2.840.10045.4.3.2', nullParameters: false, digest: 'sha256' },
  ed25519: { oid: '1.3.101.112', nullParameters: false, digest: null },
  'rsa-3072': { oid: '1.2.840.113549.1.1.11', nullParameters: true, digest: 'sha256' },
});

/** The {@link KeyAlgorithm} of a key, or undefined for keys this package does not support. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'ml-dsa-44':
    case 'ml-dsa-65':
    case 'ml-dsa-87':
    case 'ed25519':
      return type;
    case 'ec':
      return details.namedCurve === 'prime256v1' ? 'ecdsa-p256' : undefined;
    case 'rsa':
      return details.modulusLength === 3072 ? 'rsa-3072' : undefined;
    default:
      return undefined;
  }
}

/** Signs `data` as X.509 expects (ECDSA: DER-encoded Ecdsa-Sig-Value). */
export function signBytes(algorithm: KeyAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(SIGNATURE_PROFILES[algorithm].digest, data, privateKey));
}

/** Verifies an X.509-style signature; false (never an exception) for any malformed input. */
export function verifyBytes(
  algorithm: KeyAlgorithm,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  dsaEncoding: 'der' | 'ieee-p1363' = 'der',
): boolean {
  try {
    const digest = SIGNATURE_PROFILES[algorithm].digest;
    if (algorithm === 'ecdsa-p256') return verify(digest, data, { key: publicKey, dsaEncoding }, signature);
    return verify(digest, data, publicKey, signature);
  } catch {
    return false;
  }
}

/** SPKI DER of the public half of `key` (private or public). */
export function spkiDerOf(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return new Uint8Array(pub.export({ format: 'der', type: 'spki' }));
}
