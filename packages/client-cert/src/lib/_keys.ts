/** Key parsing with stable error codes: PKCS#8 private keys and SPKI public keys (RFC 5208, RFC 5280). */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CertificateError } from '../certificate-error.js';
import type { KeyAlgorithm } from '../key-algorithm.js';
import { keyAlgorithmOf } from './_algorithms.js';
import { assertString } from './_guards.js';

export interface ParsedKey {
  readonly key: KeyObject;
  readonly algorithm: KeyAlgorithm;
}

/** A supported private key from PEM; `KEY_MALFORMED` or `KEY_ALGORITHM_UNSUPPORTED` otherwise. */
export function parsePrivateKeyPem(pem: unknown, name = 'privateKeyPem'): ParsedKey {
  assertString(pem, name);
  if (!pem.includes('PRIVATE KEY-----') || pem.includes('ENCRYPTED PRIVATE KEY')) {
    throw new CertificateError('KEY_MALFORMED', `"${name}" is not an unencrypted PEM private key`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new CertificateError('KEY_MALFORMED', `"${name}" could not be parsed`, { cause });
  }
  return { key, algorithm: supported(key) };
}

/** A supported public key from SPKI DER; `KEY_MALFORMED` or `KEY_ALGORITHM_UNSUPPORTED` otherwise. */
export function parseSpkiDer(der: Uint8Array): ParsedKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CertificateError('KEY_MALFORMED', 'public key could not be parsed', { cause });
  }
  return { key, algorithm: supported(key) };
}

function supported(key: KeyObject): KeyAlgorithm {
  const algorithm = keyAlgorithmOf(key);
  if (algorithm === undefined) {
    throw new CertificateError(
      'KEY_ALGORITHM_UNSUPPORTED',
      'key algorithm is not one of ml-dsa-44, ml-dsa-65, ml-dsa-87, ecdsa-p256, ed25519, rsa-3072',
    );
  }
  return algorithm;
}
