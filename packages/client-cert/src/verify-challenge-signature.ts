/**
 * Verification of a device's challenge signature with the public key from its certificate (RFC 5280) or a
 * bare SPKI public key. ML-DSA pure (FIPS 204), Ed25519 (RFC 8032), ECDSA P-256 SHA-256 in IEEE P1363 (r‖s)
 * or DER form, RSA PKCS#1 v1.5 SHA-256. Returns false, never throws, for any malformed input: a login
 * handler must not turn attacker-chosen bytes into a 500.
 */
import type { KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from './key-algorithm.js';
import { verifyBytes } from './lib/_algorithms.js';
import { certificateMemo } from './lib/_certificate-memo.js';
import { challengeBytes } from './lib/_challenge.js';
import { MAX_PEM_LENGTH } from './lib/_guards.js';
import { parseSpkiDer } from './lib/_keys.js';
import { pemToDer } from './lib/_pem.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Larger than any supported signature (ML-DSA-87: 4627 octets) in base64url. */
const MAX_SIGNATURE_CHARS = 8192;

/**
 * True when `signatureB64u` is a valid signature over `challenge` by the key in the certificate or public key.
 *
 * @throws Never: wrong types, garbage PEM and malformed signatures all give `false`.
 * @example
 * ```ts
 * if (!verifyChallengeSignature(device.certificatePem, nonce, body.signature)) reject();
 * ```
 */
export function verifyChallengeSignature(
  certificatePemOrPublicKeyPem: string,
  challenge: string | Uint8Array,
  signatureB64u: string,
): boolean {
  try {
    if (typeof signatureB64u !== 'string' || signatureB64u.length > MAX_SIGNATURE_CHARS) return false;
    if (!BASE64URL.test(signatureB64u)) return false;
    const signature = new Uint8Array(Buffer.from(signatureB64u, 'base64url'));
    if (Buffer.from(signature).toString('base64url') !== signatureB64u) return false;
    const data = challengeBytes(challenge);
    const { key, algorithm } = publicKeyFrom(certificatePemOrPublicKeyPem);
    return verifyWith(algorithm, key, data, signature);
  } catch {
    return false;
  }
}

function publicKeyFrom(pem: unknown): { key: KeyObject; algorithm: KeyAlgorithm } {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_LENGTH) throw new Error('bad key input');
  if (pem.includes('-----BEGIN CERTIFICATE-----')) {
    // A stored device certificate is checked at every login: its key comes from the memo after the first.
    const parsed = certificateMemo.get(pem, 'certificatePem').key;
    if (parsed === undefined) throw new Error('bad key input');
    return parsed;
  }
  const spki = pemToDer(pem, 'PUBLIC KEY');
  if (spki === undefined) throw new Error('bad key input');
  return parseSpkiDer(spki);
}

function verifyWith(
  algorithm: KeyAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (algorithm !== 'ecdsa-p256') return verifyBytes(algorithm, key, data, signature);
  // 64 octets is the P1363 size; a DER signature can be 64 octets too, so fall back to DER.
  if (signature.byteLength === 64 && verifyBytes(algorithm, key, data, signature, 'ieee-p1363')) return true;
  return verifyBytes(algorithm, key, data, signature, 'der');
}
