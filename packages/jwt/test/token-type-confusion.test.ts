/** Token type confusion (RFC 8725 §2.8, §3.11): a refresh token must not work as an access token, nor the reverse. */
import { describe, expect, it } from 'vitest';
import type { KeySet } from '../src/key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { signRefreshToken } from '../src/sign-refresh-token.js';
import { verifyToken } from '../src/verify-token.js';
import { ALGORITHMS, b64u, keySetFor, signOptions, verifyOptions } from './helpers.js';

const refreshClaims = { sub: 'u', deviceId: 'd', familyId: 'f', generation: 0 };

/** A correctly signed EdDSA token with any claims and header `typ`, made by jose rather than by us. */
async function signWithJose(keys: KeySet, claims: Record<string, unknown>, typ: string): Promise<string> {
  const { importJWK, SignJWT } = await import('jose');
  const key = await importJWK(keys.active.exportPrivate().jwk, 'EdDSA');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ })
    .setSubject('u')
    .setIssuer(signOptions.issuer)
    .setAudience(signOptions.audience)
    .setJti('j')
    .setIssuedAt(signOptions.now)
    .setExpirationTime('1h')
    .sign(key);
}

describe.each(ALGORITHMS)('%s', (alg) => {
  it('a refresh token presented as an access token is refused', async () => {
    const keys = await keySetFor(alg);
    const { token } = await signRefreshToken(keys, refreshClaims, signOptions);
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_TYPE_INVALID',
    });
    await expect(verifyToken(keys, token, { ...verifyOptions, typ: 'refresh' })).resolves.toMatchObject({
      header: { typ: 'rt+jwt' },
      claims: { typ: 'refresh', familyId: 'f', generation: 0 },
    });
  });

  it('an access token presented as a refresh token is refused', async () => {
    const keys = await keySetFor(alg);
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(verifyToken(keys, token, { ...verifyOptions, typ: 'refresh' })).rejects.toMatchObject({
      code: 'TOKEN_TYPE_INVALID',
    });
  });
});

describe('header and payload typ must agree', () => {
  it('a refresh token with only its header typ changed fails the signature', async () => {
    const keys = await keySetFor('EdDSA');
    const { token } = await signRefreshToken(keys, refreshClaims, signOptions);
    const [, p, s] = token.split('.');
    const relabelled = `${b64u({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' })}.${p}.${s}`;
    await expect(verifyToken(keys, relabelled, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
    });
  });

  it('refuses a correctly signed token whose header typ says access but payload typ says refresh', async () => {
    const keys = await keySetFor('EdDSA');
    const mixed = await signWithJose(
      keys,
      { typ: 'refresh', deviceId: 'd', familyId: 'f', generation: 0 },
      'at+jwt',
    );
    await expect(verifyToken(keys, mixed, { ...verifyOptions, now: signOptions.now })).rejects.toMatchObject({
      code: 'TOKEN_TYPE_INVALID',
    });
    await expect(
      verifyToken(keys, mixed, { ...verifyOptions, typ: 'refresh', now: signOptions.now }),
    ).rejects.toMatchObject({ code: 'TOKEN_TYPE_INVALID' });
  });

  it('accepts the RFC 9068 spelling "application/at+jwt" in any case', async () => {
    const keys = await keySetFor('EdDSA');
    const token = await signWithJose(keys, { typ: 'access', deviceId: 'd' }, 'application/AT+JWT');
    await expect(verifyToken(keys, token, verifyOptions)).resolves.toMatchObject({
      header: { typ: 'at+jwt' },
    });
  });
});
