/** Known-answer vectors from RFC 7520 §4.1/§4.4, RFC 8037 §A.4 and RFC 7638 §3.1 (fixtures named by section). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint } from '../src/calculate-jwk-thumbprint.js';
import { generateSigningKey } from '../src/generate-signing-key.js';
import { importSigningKey } from '../src/import-signing-key.js';
import type { Jwk } from '../src/jwk.js';
import type { JwtAlgorithm } from '../src/jwt-algorithm.js';
import { signJws, verifyJws } from '../src/lib/key-material.js';

interface JwsVector {
  source: string;
  alg: JwtAlgorithm;
  payload: string;
  key: Jwk;
  thumbprint?: string;
  protectedHeader: Record<string, unknown>;
  compact: string;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const JWS_VECTORS = [
  'rfc7520-4.1-rsa-v1_5-signature.json',
  'rfc7520-4.4-hmac-sha2.json',
  'rfc8037-A.4-ed25519-signing.json',
].map((name) => [name, fixture<JwsVector>(name)] as const);

describe.each(JWS_VECTORS)('%s', (_name, vector) => {
  const [protectedB64, payloadB64, signatureB64] = vector.compact.split('.') as [string, string, string];

  it('the fixture is self-consistent (header and payload encode to the compact parts)', () => {
    expect(JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8'))).toEqual(
      vector.protectedHeader,
    );
    expect(Buffer.from(payloadB64, 'base64url').toString('utf8')).toBe(vector.payload);
  });

  it('signing reproduces the RFC signature byte for byte (deterministic algorithm)', async () => {
    const key = await importSigningKey({
      alg: vector.alg,
      kid: 'kat',
      jwk: { ...vector.key, kid: undefined },
    });
    const signature = await signJws(key, `${protectedB64}.${payloadB64}`);
    expect(signature.toString('base64url')).toBe(signatureB64);
  });

  it('the RFC signature verifies with the public key, and a flipped bit does not', async () => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicOnly } = vector.key;
    const key = await importSigningKey({
      alg: vector.alg,
      kid: 'kat',
      jwk: vector.alg === 'HS256' ? { ...vector.key, kid: undefined } : { ...publicOnly, kid: undefined },
    });
    const signature = Buffer.from(signatureB64, 'base64url');
    expect(await verifyJws(key, `${protectedB64}.${payloadB64}`, signature)).toBe(true);
    signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
    expect(await verifyJws(key, `${protectedB64}.${payloadB64}`, signature)).toBe(false);
  });
});

describe.each(JWS_VECTORS.filter(([, v]) => v.thumbprint !== undefined))('%s key id', (_name, vector) => {
  it('defaults to the RFC thumbprint', async () => {
    const { d: _d, ...publicJwk } = vector.key;
    const key = await importSigningKey({ alg: vector.alg, jwk: publicJwk });
    expect(key.kid).toBe(vector.thumbprint);
  });
});

describe('RFC 7638 §3.1 thumbprint', () => {
  const vector = fixture<{ jwk: Jwk; thumbprint: string }>('rfc7638-3.1-thumbprint.json');

  it('matches the RFC value (extra members alg/kid are ignored)', () => {
    expect(calculateJwkThumbprint(vector.jwk)).toBe(vector.thumbprint);
  });

  it('is the default kid of the imported key', async () => {
    const { kid: _kid, ...jwk } = vector.jwk;
    expect((await importSigningKey({ alg: 'RS256', jwk })).kid).toBe(vector.thumbprint);
  });

  it.each([
    [{ kty: 'RSA', e: 'AQAB' }],
    [{ kty: 'EC', crv: 'P-256', x: 'a' }],
    [{ kty: 'AKP', pub: 'a' }],
    [{ kty: 'XYZ' }],
    [{ kty: 7 }],
  ])('refuses incomplete or unknown JWK %j', (jwk) => {
    expect(() => calculateJwkThumbprint(jwk as Jwk)).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });
});

describe('RFC 9964 ML-DSA-65 key representation', () => {
  it('AKP JWK: alg "ML-DSA-65", pub = 1952-byte raw key, priv = 32-byte seed; thumbprint over alg/kty/pub', async () => {
    const key = await generateSigningKey('ML-DSA-65');
    const publicJwk = key.publicJwk()!;
    expect(Object.keys(publicJwk).sort()).toEqual(['alg', 'kid', 'kty', 'pub', 'use']);
    expect(publicJwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65' });
    expect(Buffer.from(publicJwk.pub!, 'base64url')).toHaveLength(1952);
    const privateJwk = key.exportPrivate().jwk;
    expect(Buffer.from(privateJwk.priv as string, 'base64url')).toHaveLength(32);
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update(JSON.stringify({ alg: 'ML-DSA-65', kty: 'AKP', pub: publicJwk.pub }))
      .digest('base64url');
    expect(key.kid).toBe(expected);
    const { calculateJwkThumbprint: joseThumbprint } = await import('jose');
    expect(await joseThumbprint(publicJwk)).toBe(expected);
  });
});
