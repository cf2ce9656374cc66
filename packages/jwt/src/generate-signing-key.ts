/**
 * Fresh signing keys from the OpenSSL CSPRNG via `node:crypto`: Ed25519 (RFC 8037), P-256
 * (RFC 7518 §3.4), RSA (RFC 7518 §3.3), a 256-bit HMAC secret (RFC 7518 §3.2) or ML-DSA-65
 * (FIPS 204, RFC 9964).
 */
import { createSecretKey, generateKeyPair, type KeyObject, randomBytes } from 'node:crypto';
import { isJwtAlgorithm, type JwtAlgorithm } from './jwt-algorithm.js';
import { JwtError } from './jwt-error.js';
import { assertKid, createSigningKey, RS256_MIN_MODULUS_BITS } from './lib/key-material.js';
import type { SigningKey } from './signing-key.js';

/** Options of {@link generateSigningKey}. */
export interface GenerateSigningKeyOptions {
  /** Key id; default the RFC 7638 thumbprint (HS256: a random 128-bit id, see README). */
  kid?: string;
  /** RSA modulus size for RS256; default 3072, minimum 2048. */
  modulusLength?: number;
}

type KeyPair = { privateKey: KeyObject; publicKey: KeyObject };

function pair(type: 'ed25519' | 'ml-dsa-65' | 'ec' | 'rsa', options: object): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    // The overloads of generateKeyPair do not cover every type name; the runtime does.
    (
      generateKeyPair as unknown as (
        t: string,
        o: object,
        cb: (e: Error | null, pub: KeyObject, priv: KeyObject) => void,
      ) => void
    )(type, options, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ privateKey, publicKey }),
    );
  });
}

/** A random kid for HMAC keys: a thumbprint of a secret would be a hash of the secret. */
export function randomKid(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Generates a new signing key for `alg` (EdDSA by default in the rest of the package).
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for an unknown `alg`, a malformed `kid` or a too-small `modulusLength`.
 * @example
 * ```ts
 * const key = await generateSigningKey('ML-DSA-65');
 * const keys = KeySet.create([key]);
 * ```
 */
export async function generateSigningKey(
  alg: JwtAlgorithm,
  options: GenerateSigningKeyOptions = {},
): Promise<SigningKey> {
  if (!isJwtAlgorithm(alg))
    throw new JwtError('INVALID_ARGUMENT', `"alg" unsupported: ${JSON.stringify(alg)}`);
  if (options.kid !== undefined) assertKid(options.kid);
  let keys: { privateKey?: KeyObject; publicKey?: KeyObject; secret?: KeyObject };
  switch (alg) {
    case 'EdDSA':
      keys = await pair('ed25519', {});
      break;
    case 'ML-DSA-65':
      keys = await pair('ml-dsa-65', {});
      break;
    case 'ES256':
      keys = await pair('ec', { namedCurve: 'P-256' });
      break;
    case 'RS256': {
      const modulusLength = options.modulusLength ?? 3072;
      if (
        !Number.isInteger(modulusLength) ||
        modulusLength < RS256_MIN_MODULUS_BITS ||
        modulusLength > 16384
      ) {
        throw new JwtError(
          'INVALID_ARGUMENT',
          `"modulusLength" expected an integer 2048-16384, got ${modulusLength}`,
        );
      }
      keys = await pair('rsa', { modulusLength, publicExponent: 0x10001 });
      break;
    }
    case 'HS256':
      keys = { secret: createSecretKey(randomBytes(32)) };
      break;
  }
  return createSigningKey(alg, keys, options.kid, randomKid);
}
