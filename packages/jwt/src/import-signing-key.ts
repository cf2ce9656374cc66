/**
 * Imports keys from PEM (PKCS#8 / SPKI / X.509, RFC 7468), JWK (RFC 7517, RFC 8037, RFC 9964
 * `AKP`) or a raw HMAC secret, and checks each one against the algorithm it is bound to.
 */
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKeyInput,
  type KeyObject,
} from 'node:crypto';
import { randomKid } from './generate-signing-key.js';
import type { Jwk, SerializedKey } from './jwk.js';
import { isJwtAlgorithm, type JwtAlgorithm } from './jwt-algorithm.js';
import { JwtError } from './jwt-error.js';
import { decodeBase64url } from './lib/base64url.js';
import { assertKid, createSigningKey } from './lib/key-material.js';
import type { SigningKey } from './signing-key.js';

/** Input of {@link importSigningKey}; a {@link SerializedKey} fits this shape too. */
export interface ImportSigningKeyInput {
  alg: JwtAlgorithm;
  kid?: string;
  privateKeyPem?: string;
  publicKeyPem?: string;
  jwk?: Jwk;
  /** HS256 only: the raw secret, at least 32 bytes. */
  secret?: Uint8Array;
}

const EXPECTED_KTY: Record<JwtAlgorithm, string> = {
  EdDSA: 'OKP',
  ES256: 'EC',
  RS256: 'RSA',
  HS256: 'oct',
  'ML-DSA-65': 'AKP',
};

function keyError(what: string, cause: unknown): JwtError {
  return new JwtError('KEY_INVALID', `${what} could not be parsed`, { cause });
}

function importJwk(
  alg: JwtAlgorithm,
  jwk: Jwk,
): { privateKey?: KeyObject; publicKey?: KeyObject; secret?: KeyObject } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new JwtError('INVALID_ARGUMENT', '"jwk" expected an object');
  }
  if (jwk.kty !== EXPECTED_KTY[alg]) {
    throw new JwtError(
      'KEY_INVALID',
      `${alg} needs a JWK with kty "${EXPECTED_KTY[alg]}", got ${JSON.stringify(jwk.kty)}`,
    );
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new JwtError('KEY_INVALID', `JWK "alg" ${JSON.stringify(jwk.alg)} does not match ${alg}`);
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new JwtError('KEY_INVALID', `JWK "use" must be "sig", got ${JSON.stringify(jwk.use)}`);
  }
  if (alg === 'HS256') {
    const k = typeof jwk.k === 'string' ? decodeBase64url(jwk.k) : undefined;
    if (k === undefined) throw new JwtError('KEY_INVALID', 'JWK member "k" missing or not base64url');
    return { secret: createSecretKey(k) };
  }
  // Node wants only key members; kid/use/key_ops are ours to interpret. AKP keeps alg (RFC 9964).
  const { kid: _kid, use: _use, key_ops: _ops, ext: _ext, ...members } = jwk;
  if (alg !== 'ML-DSA-65') delete members.alg;
  const isPrivate = members.d !== undefined || members.priv !== undefined;
  let privateKey: KeyObject;
  try {
    if (!isPrivate)
      return { publicKey: createPublicKey({ key: members as JsonWebKeyInput['key'], format: 'jwk' }) };
    privateKey = createPrivateKey({ key: members as JsonWebKeyInput['key'], format: 'jwk' });
  } catch (cause) {
    throw keyError('"jwk"', cause);
  }
  // OpenSSL derives Ed25519/ML-DSA public keys from the private part and ignores the given ones;
  // a stored JWK whose public members disagree has been tampered with or mixed up.
  const derived = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, unknown>;
  for (const name of ['x', 'y', 'n', 'e', 'pub']) {
    if (members[name] !== undefined && members[name] !== derived[name]) {
      throw new JwtError('KEY_INVALID', `JWK member "${name}" does not match the private key`);
    }
  }
  return { privateKey };
}

/**
 * Imports a key for `alg` from PEM, JWK, raw secret or a persisted {@link SerializedKey}.
 * A private key alone is enough (the public key is derived); a public key alone gives a
 * verify-only key. HS256 accepts only `secret` or an `oct` JWK — never a PEM, so a public key
 * can never become an HMAC secret.
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for wrong input types or a malformed `kid`; `KEY_INVALID` for
 *   unparsable keys, a key of the wrong type/curve/size for `alg`, HS256 secrets under 32 bytes,
 *   RSA moduli under 2048 bits, or a public key that does not match the private key.
 * @example
 * ```ts
 * const key = await importSigningKey({ alg: 'ES256', privateKeyPem: fs.readFileSync('jwt.pem', 'utf8') });
 * const again = await importSigningKey(key.exportPrivate());
 * ```
 */
export async function importSigningKey(input: ImportSigningKeyInput | SerializedKey): Promise<SigningKey> {
  return importSigningKeySync(input);
}

/** Synchronous core of {@link importSigningKey}, used by `KeySet.fromJSON`. */
export function importSigningKeySync(input: ImportSigningKeyInput | SerializedKey): SigningKey {
  if (typeof input !== 'object' || input === null)
    throw new JwtError('INVALID_ARGUMENT', '"input" expected an object');
  const { alg } = input;
  if (!isJwtAlgorithm(alg))
    throw new JwtError('INVALID_ARGUMENT', `"alg" unsupported: ${JSON.stringify(alg)}`);
  const { privateKeyPem, publicKeyPem, jwk, secret } = input as ImportSigningKeyInput;
  if (privateKeyPem !== undefined && typeof privateKeyPem !== 'string') {
    throw new JwtError('INVALID_ARGUMENT', '"privateKeyPem" expected a string');
  }
  if (publicKeyPem !== undefined && typeof publicKeyPem !== 'string') {
    throw new JwtError('INVALID_ARGUMENT', '"publicKeyPem" expected a string');
  }
  if (secret !== undefined && !(secret instanceof Uint8Array)) {
    throw new JwtError('INVALID_ARGUMENT', '"secret" expected a Uint8Array');
  }
  let kid = input.kid;
  if (kid !== undefined) assertKid(kid);
  if (jwk?.kid !== undefined) {
    assertKid(jwk.kid, 'jwk.kid');
    if (kid !== undefined && kid !== jwk.kid) {
      throw new JwtError('INVALID_ARGUMENT', '"kid" and "jwk.kid" disagree');
    }
    kid = jwk.kid;
  }

  const keys: { privateKey?: KeyObject; publicKey?: KeyObject; secret?: KeyObject } = {};
  if (alg === 'HS256') {
    if (privateKeyPem !== undefined || publicKeyPem !== undefined) {
      throw new JwtError('KEY_INVALID', 'HS256 takes a secret, not a PEM key');
    }
    if ((secret === undefined) === (jwk === undefined)) {
      throw new JwtError('INVALID_ARGUMENT', 'HS256 needs exactly one of "secret" or "jwk"');
    }
    keys.secret = secret !== undefined ? createSecretKey(Buffer.from(secret)) : importJwk(alg, jwk!).secret;
  } else {
    if (secret !== undefined) throw new JwtError('KEY_INVALID', `${alg} takes a key pair, not a secret`);
    if (privateKeyPem === undefined && publicKeyPem === undefined && jwk === undefined) {
      throw new JwtError('INVALID_ARGUMENT', `${alg} needs "privateKeyPem", "publicKeyPem" or "jwk"`);
    }
    if (jwk !== undefined) Object.assign(keys, importJwk(alg, jwk));
    if (privateKeyPem !== undefined) {
      if (keys.privateKey !== undefined) throw new JwtError('INVALID_ARGUMENT', 'two private keys given');
      try {
        keys.privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' });
      } catch (cause) {
        throw keyError('"privateKeyPem"', cause);
      }
    }
    if (publicKeyPem !== undefined) {
      if (/PRIVATE KEY-----/.test(publicKeyPem)) {
        throw new JwtError('KEY_INVALID', '"publicKeyPem" holds a private key; pass it as "privateKeyPem"');
      }
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({ key: publicKeyPem, format: 'pem' });
      } catch (cause) {
        throw keyError('"publicKeyPem"', cause);
      }
      if (keys.publicKey !== undefined && !keys.publicKey.equals(publicKey)) {
        throw new JwtError('KEY_INVALID', '"publicKeyPem" and "jwk" are different keys');
      }
      keys.publicKey = publicKey;
    }
  }
  return createSigningKey(alg, keys, kid, randomKid);
}
