/**
 * Shared issuance of access and refresh tokens: a JWT (RFC 7519) in JWS compact serialization
 * (RFC 7515 §7.1) with an explicit `typ` header in the style of RFC 9068 §2.1. Internal.
 */
import { randomBytes } from 'node:crypto';
import { JwtError } from '../jwt-error.js';
import type { KeySet } from '../key-set.js';
import type { SignedToken, SignTokenOptions } from '../signed-token.js';
import { encodeBase64url } from './base64url.js';
import { signJws } from './key-material.js';

/** Claims the issuer sets itself; callers may not override them through extra claims. */
const RESERVED = new Set(['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'typ', 'sub', 'deviceId']);

const MAX_TTL_SECONDS = 366 * 24 * 3600;

export function assertNonEmptyString(value: unknown, name: string, max = 1024): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"${name}" expected a non-empty string of at most ${max} characters`,
    );
  }
}

export function assertNow(now: unknown, name = 'options.now'): Date {
  if (now === undefined) return new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new JwtError('INVALID_ARGUMENT', `"${name}" expected a valid Date`);
  }
  return now;
}

/** Random 128-bit token id (RFC 7519 §4.1.7: collision-resistant). */
export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

export async function issueToken(
  keys: KeySet,
  kind: 'access' | 'refresh',
  sub: unknown,
  deviceId: unknown,
  extra: Record<string, unknown>,
  options: SignTokenOptions,
  defaultTtlSeconds: number,
): Promise<SignedToken> {
  if (typeof options !== 'object' || options === null) {
    throw new JwtError('INVALID_ARGUMENT', '"options" expected { issuer, audience }');
  }
  assertNonEmptyString(sub, 'claims.sub');
  assertNonEmptyString(deviceId, 'claims.deviceId');
  assertNonEmptyString(options.issuer, 'options.issuer');
  assertNonEmptyString(options.audience, 'options.audience');
  const ttl = options.ttlSeconds ?? defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"options.ttlSeconds" expected an integer 1-${MAX_TTL_SECONDS}, got ${ttl}`,
    );
  }
  const now = assertNow(options.now);
  const jti = options.jti ?? newJti();
  assertNonEmptyString(jti, 'options.jti', 256);
  for (const name of Object.keys(extra)) {
    if (RESERVED.has(name)) throw new JwtError('INVALID_ARGUMENT', `"claims.${name}" is set by the issuer`);
  }

  const key = keys.active;
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ttl;
  const header = { alg: key.alg, kid: key.kid, typ: kind === 'access' ? 'at+jwt' : 'rt+jwt' };
  const payload = {
    ...extra,
    iss: options.issuer,
    sub,
    aud: options.audience,
    exp,
    nbf: iat,
    iat,
    jti,
    typ: kind,
    deviceId,
  };
  const signingInput = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(payload))}`;
  const signature = await signJws(key, signingInput);
  return { token: `${signingInput}.${encodeBase64url(signature)}`, jti, expiresAt: new Date(exp * 1000) };
}
