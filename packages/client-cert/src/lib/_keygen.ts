/**
 * Native key generation (`node:crypto`, OpenSSL 3.5) shared by `generateKeyPair`, CA creation and
 * issuance: ML-DSA per FIPS 204 (RFC 9881 encodings), ECDSA P-256, Ed25519 (RFC 8410) and RSA-3072.
 * OpenSSL encodes the keys while generating them, so asking for the encoding each caller needs avoids a
 * parse-and-export round trip.
 */
import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import type { KeyAlgorithm } from '../key-algorithm.js';

type EncodedKeyPairGenerator = (
  type: string,
  options: Record<string, unknown>,
  callback: (err: Error | null, publicKey: string | Buffer, privateKey: string) => void,
) => void;

/** The `node:crypto` key type and options for `algorithm`. */
function nodeKeyParameters(algorithm: KeyAlgorithm): [string, Record<string, unknown>] {
  switch (algorithm) {
    case 'ecdsa-p256':
      return ['ec', { namedCurve: 'P-256' }];
    case 'rsa-3072':
      return ['rsa', { modulusLength: 3072, publicExponent: 65537 }];
    default:
      return [algorithm, {}];
  }
}

/** A key pair off the event loop: PKCS#8 PEM private key, SPKI public key as PEM or DER. */
export function generateEncodedKeyPair(
  algorithm: KeyAlgorithm,
  publicKeyFormat: 'pem',
): Promise<{ publicKey: string; privateKeyPem: string }>;
export function generateEncodedKeyPair(
  algorithm: KeyAlgorithm,
  publicKeyFormat: 'der',
): Promise<{ publicKey: Buffer; privateKeyPem: string }>;
export function generateEncodedKeyPair(
  algorithm: KeyAlgorithm,
  publicKeyFormat: 'pem' | 'der',
): Promise<{ publicKey: string | Buffer; privateKeyPem: string }> {
  const [type, params] = nodeKeyParameters(algorithm);
  const generate = nodeGenerateKeyPair as unknown as EncodedKeyPairGenerator;
  return new Promise((resolve, reject) => {
    generate(
      type,
      {
        ...params,
        publicKeyEncoding: { type: 'spki', format: publicKeyFormat },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKey, privateKeyPem) => {
        if (err) reject(err);
        else resolve({ publicKey, privateKeyPem });
      },
    );
  });
}
