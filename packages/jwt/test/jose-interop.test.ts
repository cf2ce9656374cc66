/** Independent oracle: panva/jose verifies our tokens and signs tokens we verify, for every algorithm. */
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/sign-access-token.js';
import { signRefreshToken } from '../src/sign-refresh-token.js';
import { verifyToken } from '../src/verify-token.js';
import {
  ALGORITHMS,
  AUDIENCE,
  ISSUER,
  keyFor,
  keySetFor,
  NOW,
  NOW_S,
  signOptions,
  verifyOptions,
} from './helpers.js';

describe.each(ALGORITHMS)('%s interoperates with jose', (alg) => {
  it('our access token verifies with jose (key from our JWKS)', async () => {
    const keys = await keySetFor(alg);
    const { token, jti } = await signAccessToken(
      keys,
      { sub: 'user-1', deviceId: 'dev-1', roles: ['user'] },
      signOptions,
    );
    const key =
      alg === 'HS256'
        ? await importJWK(keys.active.exportPrivate().jwk, 'HS256')
        : createLocalJWKSet(keys.toJWKS());
    const { payload, protectedHeader } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
      typ: 'at+jwt',
      currentDate: NOW,
    });
    expect(protectedHeader).toEqual({ alg, kid: keys.active.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'user-1', deviceId: 'dev-1', jti, typ: 'access', roles: ['user'] });
    expect(payload.exp).toBe(NOW_S + 900);
  });

  it('our refresh token verifies with jose', async () => {
    const keys = await keySetFor(alg);
    const { token } = await signRefreshToken(
      keys,
      { sub: 'user-1', deviceId: 'dev-1', familyId: 'fam-1', generation: 3 },
      signOptions,
    );
    const key = await importJWK(
      alg === 'HS256' ? keys.active.exportPrivate().jwk : keys.active.publicJwk()!,
      alg,
    );
    const { payload } = await jwtVerify(token, key, { typ: 'rt+jwt', currentDate: NOW, algorithms: [alg] });
    expect(payload).toMatchObject({ familyId: 'fam-1', generation: 3, typ: 'refresh' });
    expect(payload.exp).toBe(NOW_S + 30 * 24 * 3600);
  });

  it('a jose-signed token verifies with ours', async () => {
    const keys = await keySetFor(alg);
    const privateKey = await importJWK(keys.active.exportPrivate().jwk, alg);
    const token = await new SignJWT({ typ: 'access', deviceId: 'dev-9', roles: ['admin'] })
      .setProtectedHeader({ alg, kid: keys.active.kid, typ: 'at+jwt' })
      .setSubject('user-9')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti('jose-jti')
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(privateKey);
    const { header, claims } = await verifyToken(keys, token, verifyOptions);
    expect(header).toEqual({ alg, kid: keys.active.kid, typ: 'at+jwt' });
    expect(claims).toMatchObject({ sub: 'user-9', jti: 'jose-jti', deviceId: 'dev-9', roles: ['admin'] });
  });

  it('a jose-signed token with a flipped signature bit is refused', async () => {
    const keys = await keySetFor(alg);
    const privateKey = await importJWK(keys.active.exportPrivate().jwk, alg);
    const token = await new SignJWT({ typ: 'access', deviceId: 'd' })
      .setProtectedHeader({ alg, kid: keys.active.kid, typ: 'at+jwt' })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti('j')
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(privateKey);
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    await expect(
      verifyToken(keys, `${h}.${p}.${sig.toString('base64url')}`, verifyOptions),
    ).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
      message: 'signature verification failed',
    });
  });

  it('a key imported by jose from our JWKS has our kid as its RFC 7638 thumbprint', async () => {
    if (alg === 'HS256') {
      expect((await keySetFor(alg)).toJWKS().keys).toEqual([]);
      return;
    }
    const { calculateJwkThumbprint } = await import('jose');
    const key = await keyFor(alg);
    expect(await calculateJwkThumbprint(key.publicJwk()!)).toBe(key.kid);
  });
});
