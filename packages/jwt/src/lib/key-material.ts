/**
 * The concrete signing key and the raw JWS signature operations (RFC 7515 §5.1/§5.2 over the
 * algorithms of RFC 7518 §3.2–3.4, RFC 8037 §3.1 and RFC 9964). Internal: not re-exported.
 *
 * Key objects live in a module-private WeakMap, so a `SigningKey` cannot be forged from outside
 * and `JSON.stringify(key)` or `util.inspect(key)` never reveal secrets. HMAC comparison is
 * constant-time (`timingSafeEqual`); the asymmetric verifications are OpenSSL's.
 *
 * ES256 signs and verifies through WebCrypto (`crypto.subtle`, also OpenSSL underneath) with a CryptoKey
 * made once per key: ECDSA there already produces and expects the IEEE P1363 r||s form JWS uses
 * (RFC 7518 §3.4), and Node does not re-validate a `{ key, dsaEncoding }` options object on every call.
 * Ed25519 and ML-DSA stay on `crypto.sign`/`crypto.verify`, which measured as fast or faster here.
 */
import {
  constants,
  createHmac,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  timingSafeEqual,
  webcrypto,
} from 'node:crypto';
import { calculateJwkThumbprint } from '../calculate-jwk-thumbprint.js';
import type { Jwk, SerializedKey } from '../jwk.js';
import type { JwtAlgorithm } from '../jwt-algorithm.js';
import { JwtError } from '../jwt-error.js';
import type { SigningKey } from '../signing-key.js';

/** Minimum HMAC secret: RFC 7518 §3.2 requires a key at least as long as the hash output. */
export const HS256_MIN_SECRET_BYTES = 32;
/** Minimum RSA modulus: RFC 7518 §3.3 requires 2048 bits or larger. */
export const RS256_MIN_MODULUS_BITS = 2048;
/** ML-DSA-65 signature size, FIPS 204 Table 2. */
const ML_DSA_65_SIGNATURE_BYTES = 3309;

interface Internals {
  readonly privateKey: KeyObject | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly secret: KeyObject | undefined;
}

const internals = new WeakMap<SigningKey, Internals>();

/** ES256 CryptoKeys, made on first use from the key objects above (non-extractable). */
interface Es256CryptoKeys {
  sign?: webcrypto.CryptoKey;
  verify?: webcrypto.CryptoKey;
}
const es256CryptoKeys = new WeakMap<SigningKey, Es256CryptoKeys>();
const ES256_IMPORT = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ES256_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

function es256CryptoKey(key: SigningKey, keyObject: KeyObject, use: 'sign' | 'verify'): webcrypto.CryptoKey {
  let cached = es256CryptoKeys.get(key);
  if (cached === undefined) {
    cached = {};
    es256CryptoKeys.set(key, cached);
  }
  let cryptoKey = cached[use];
  if (cryptoKey === undefined) {
    cryptoKey = keyObject.toCryptoKey(ES256_IMPORT, false, [use]);
    cached[use] = cryptoKey;
  }
  return cryptoKey;
}

const KID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Validates a caller-supplied kid: 1–128 printable ASCII characters, no spaces. */
export function assertKid(kid: unknown, name = 'kid'): asserts kid is string {
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"${name}" expected 1-128 printable ASCII characters without spaces`,
    );
  }
}

/** Throws KEY_INVALID unless `key` is an asymmetric key usable with `alg`. */
export function assertKeyMatchesAlgorithm(alg: JwtAlgorithm, key: KeyObject): void {
  const type = key.asymmetricKeyType as string | undefined;
  const details = key.asymmetricKeyDetails;
  let ok: boolean;
  switch (alg) {
    case 'EdDSA':
      ok = type === 'ed25519';
      break;
    case 'ES256':
      ok = type === 'ec' && details?.namedCurve === 'prime256v1';
      break;
    case 'RS256':
      ok = type === 'rsa' && (details?.modulusLength ?? 0) >= RS256_MIN_MODULUS_BITS;
      break;
    case 'ML-DSA-65':
      ok = type === 'ml-dsa-65';
      break;
    default:
      ok = false;
  }
  if (!ok) {
    const what = type === 'rsa' ? `rsa-${details?.modulusLength ?? '?'}` : (type ?? key.type);
    const need =
      alg === 'RS256'
        ? `an RSA key of at least ${RS256_MIN_MODULUS_BITS} bits`
        : `a key of type ${keyTypeFor(alg)}`;
    throw new JwtError('KEY_INVALID', `${alg} needs ${need}, got ${what}`);
  }
}

function keyTypeFor(alg: JwtAlgorithm): string {
  switch (alg) {
    case 'EdDSA':
      return 'ed25519';
    case 'ES256':
      return 'ec P-256';
    case 'RS256':
      return 'rsa';
    case 'HS256':
      return 'secret';
    case 'ML-DSA-65':
      return 'ml-dsa-65';
  }
}

class CitySigningKey implements SigningKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;

  constructor(alg: JwtAlgorithm, kid: string) {
    this.alg = alg;
    this.kid = kid;
    Object.freeze(this);
  }

  get canSign(): boolean {
    const own = internals.get(this);
    return own?.privateKey !== undefined || own?.secret !== undefined;
  }

  publicJwk(): Jwk | undefined {
    const own = internals.get(this);
    if (own?.publicKey === undefined) return undefined;
    return { ...publicMembers(own.publicKey), kid: this.kid, alg: this.alg, use: 'sig' };
  }

  publicKeyPem(): string | undefined {
    const own = internals.get(this);
    return own?.publicKey?.export({ type: 'spki', format: 'pem' }).toString();
  }

  exportPrivate(): SerializedKey {
    const own = internals.get(this);
    let jwk: Jwk;
    if (own?.secret !== undefined) jwk = own.secret.export({ format: 'jwk' }) as Jwk;
    else if (own?.privateKey !== undefined) jwk = own.privateKey.export({ format: 'jwk' }) as Jwk;
    else jwk = publicMembers(own!.publicKey!);
    return { alg: this.alg, kid: this.kid, jwk: { ...jwk, kid: this.kid, alg: this.alg } };
  }

  toJSON(): { alg: JwtAlgorithm; kid: string } {
    // Serialising a key by accident must not write its secret anywhere.
    return { alg: this.alg, kid: this.kid };
  }
}

function publicMembers(publicKey: KeyObject): Jwk {
  const jwk = publicKey.export({ format: 'jwk' }) as Jwk;
  // Node exports exactly the public members; copy them so callers cannot mutate shared state.
  return { ...jwk };
}

/** Builds a SigningKey from validated key objects; kid defaults to the RFC 7638 thumbprint. */
export function createSigningKey(
  alg: JwtAlgorithm,
  keys: { privateKey?: KeyObject; publicKey?: KeyObject; secret?: KeyObject },
  kid: string | undefined,
  defaultKid: () => string,
): SigningKey {
  let publicKey = keys.publicKey;
  if (alg === 'HS256') {
    if (keys.secret === undefined) throw new JwtError('KEY_INVALID', 'HS256 needs a secret');
    if ((keys.secret.symmetricKeySize ?? 0) < HS256_MIN_SECRET_BYTES) {
      throw new JwtError(
        'KEY_INVALID',
        `HS256 secret expected at least ${HS256_MIN_SECRET_BYTES} bytes, got ${keys.secret.symmetricKeySize ?? 0}`,
      );
    }
  } else {
    if (keys.secret !== undefined) throw new JwtError('KEY_INVALID', `${alg} takes a key pair, not a secret`);
    if (keys.privateKey !== undefined) {
      assertKeyMatchesAlgorithm(alg, keys.privateKey);
      const derived = createPublicKey(keys.privateKey);
      if (publicKey !== undefined && !derived.equals(publicKey)) {
        throw new JwtError('KEY_INVALID', 'the public key does not belong to the private key');
      }
      publicKey = derived;
    }
    if (publicKey === undefined) throw new JwtError('KEY_INVALID', `${alg} needs a private or public key`);
    assertKeyMatchesAlgorithm(alg, publicKey);
  }
  let resolvedKid: string;
  if (kid !== undefined) {
    assertKid(kid);
    resolvedKid = kid;
  } else if (publicKey !== undefined) {
    resolvedKid = calculateJwkThumbprint({ ...publicMembers(publicKey), alg });
  } else {
    resolvedKid = defaultKid();
  }
  const key = new CitySigningKey(alg, resolvedKid);
  internals.set(key, { privateKey: keys.privateKey, publicKey, secret: keys.secret });
  return key;
}

/** The key objects behind a SigningKey made by this package. */
export function keyObjectsOf(key: SigningKey): Internals {
  const own = typeof key === 'object' && key !== null ? internals.get(key) : undefined;
  if (own === undefined) {
    throw new JwtError('INVALID_ARGUMENT', '"key" must come from generateSigningKey or importSigningKey');
  }
  return own;
}

/** True when `key` was made by this package. */
export function isOwnSigningKey(key: unknown): key is SigningKey {
  return typeof key === 'object' && key !== null && internals.has(key as SigningKey);
}

function asyncSign(
  algorithm: string | null,
  data: Buffer,
  key: Parameters<typeof cryptoSign>[2],
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    cryptoSign(algorithm, data, key, (err, signature) => (err ? reject(err) : resolve(signature)));
  });
}

function asyncVerify(
  algorithm: string | null,
  data: Buffer,
  key: Parameters<typeof cryptoVerify>[2],
  signature: Buffer,
): Promise<boolean> {
  return new Promise((resolve) => {
    cryptoVerify(algorithm, data, key, signature, (err, ok) => resolve(err ? false : ok));
  });
}

/** Produces the JWS signature of `signingInput` (RFC 7515 §5.1 step 5). */
export async function signJws(key: SigningKey, signingInput: string): Promise<Buffer> {
  const own = keyObjectsOf(key);
  const data = Buffer.from(signingInput, 'ascii');
  if (key.alg === 'HS256') {
    if (own.secret === undefined) throw new JwtError('KEY_INVALID', `key "${key.kid}" cannot sign`);
    return createHmac('sha256', own.secret).update(data).digest();
  }
  const privateKey = own.privateKey;
  if (privateKey === undefined)
    throw new JwtError('KEY_INVALID', `key "${key.kid}" has no private key and cannot sign`);
  switch (key.alg) {
    case 'ES256':
      return Buffer.from(
        await webcrypto.subtle.sign(ES256_SIGN, es256CryptoKey(key, privateKey, 'sign'), data),
      );
    case 'RS256':
      return asyncSign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
    default:
      return asyncSign(null, data, privateKey);
  }
}

/** Checks a JWS signature (RFC 7515 §5.2 step 8); false for any failure, never throws. */
export async function verifyJws(key: SigningKey, signingInput: string, signature: Buffer): Promise<boolean> {
  const own = keyObjectsOf(key);
  const data = Buffer.from(signingInput, 'ascii');
  if (key.alg === 'HS256') {
    if (own.secret === undefined) return false;
    const expected = createHmac('sha256', own.secret).update(data).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  const publicKey = own.publicKey;
  if (publicKey === undefined) return false;
  switch (key.alg) {
    case 'EdDSA':
      return signature.length === 64 && asyncVerify(null, data, publicKey, signature);
    case 'ES256':
      // JOSE ECDSA signatures are the fixed-size r||s form (RFC 7518 §3.4), never DER.
      if (signature.length !== 64) return false;
      try {
        return await webcrypto.subtle.verify(
          ES256_SIGN,
          es256CryptoKey(key, publicKey, 'verify'),
          signature,
          data,
        );
      } catch {
        return false;
      }
    case 'RS256': {
      const modulusBytes = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      return (
        signature.length === modulusBytes &&
        asyncVerify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)
      );
    }
    case 'ML-DSA-65':
      return signature.length === ML_DSA_65_SIGNATURE_BYTES && asyncVerify(null, data, publicKey, signature);
  }
}
