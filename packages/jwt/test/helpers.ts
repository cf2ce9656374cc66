import { createHmac } from 'node:crypto';
import { generateSigningKey } from '../src/generate-signing-key.js';
import type { JwtAlgorithm } from '../src/jwt-algorithm.js';
import { KeySet } from '../src/key-set.js';
import type { SigningKey } from '../src/signing-key.js';

export const ISSUER = 'https://auth.city.example';
export const AUDIENCE = 'city-api';
export const ALGORITHMS: JwtAlgorithm[] = ['EdDSA', 'ES256', 'RS256', 'HS256', 'ML-DSA-65'];
export const NOW = new Date('2026-11-21T12:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);

const cache = new Map<JwtAlgorithm, Promise<SigningKey>>();

/** One cached key per algorithm (RSA 2048 to keep the suite quick). */
export function keyFor(alg: JwtAlgorithm): Promise<SigningKey> {
  let key = cache.get(alg);
  if (key === undefined) {
    key = generateSigningKey(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
    cache.set(alg, key);
  }
  return key;
}

export async function keySetFor(alg: JwtAlgorithm): Promise<KeySet> {
  return KeySet.create([await keyFor(alg)]);
}

export function b64u(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));
}

export const verifyOptions = { typ: 'access' as const, issuer: ISSUER, audience: AUDIENCE, now: NOW };
export const signOptions = { issuer: ISSUER, audience: AUDIENCE, now: NOW };

/** Builds a compact JWS by hand (HMAC-SHA-256 with `secret`, or a fixed signature), for attack tests. */
export function forge(
  header: unknown,
  payload: unknown,
  secret?: Uint8Array | string,
  signature = '',
): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  if (secret === undefined) return `${input}.${signature}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function accessPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    exp: NOW_S + 60,
    nbf: NOW_S,
    iat: NOW_S,
    jti: 'jti-1',
    typ: 'access',
    deviceId: 'dev-1',
    ...overrides,
  };
}
