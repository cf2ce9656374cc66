/**
 * Attack: a validly signed access token with a lifetime the issuer never hands out (a 10-year
 * `exp`, minted with leaked signing access or by a misconfigured issuer). With
 * `maxLifetimeSeconds` such a token is refused although its signature, `iat` and `exp` are all
 * valid. The tokens are signed by panva/jose, so the cap is checked on input we did not produce.
 */
import { importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../src/verify-token.js';
import { AUDIENCE, ISSUER, keySetFor, NOW_S, verifyOptions } from './helpers.js';

const TEN_YEARS = 10 * 365 * 24 * 3600;
const TTL = 900;

async function joseSigned(
  iat: number,
  exp: number,
): Promise<{ token: string; keys: Awaited<ReturnType<typeof keySetFor>> }> {
  const keys = await keySetFor('EdDSA');
  const privateKey = await importJWK(keys.active.exportPrivate().jwk, 'EdDSA');
  const token = await new SignJWT({ typ: 'access', deviceId: 'dev-1', sid: 'session-1' })
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' })
    .setSubject('user-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti('jti-1')
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(privateKey);
  return { token, keys };
}

describe('access token lifetime cap', () => {
  it('a-ten-year-access-token: validly signed by jose, refused with the cap, accepted without it', async () => {
    const { token, keys } = await joseSigned(NOW_S, NOW_S + TEN_YEARS);
    // Without a cap it verifies: the refusal below is the cap's doing, not a bad token.
    await expect(verifyToken(keys, token, verifyOptions)).resolves.toBeDefined();
    await expect(
      verifyToken(keys, token, { ...verifyOptions, maxLifetimeSeconds: TTL, clockToleranceSeconds: 0 }),
    ).rejects.toMatchObject({
      code: 'TOKEN_LIFETIME_EXCEEDED',
      message: 'token lifetime exceeds the accepted maximum',
    });
  });

  it('a ten-year-old token about to expire is refused (exp - iat is capped)', async () => {
    const old = await joseSigned(NOW_S - TEN_YEARS, NOW_S + 60);
    await expect(
      verifyToken(old.keys, old.token, {
        ...verifyOptions,
        maxLifetimeSeconds: TTL,
        clockToleranceSeconds: 0,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_LIFETIME_EXCEEDED' });
  });

  it('an iat pushed into the clock tolerance does not stretch the remaining lifetime (exp - now is capped)', async () => {
    const tolerance = 5;
    // exp - iat = TTL + tolerance (allowed), but exp - now = TTL + 2 × tolerance.
    const ahead = await joseSigned(NOW_S + tolerance, NOW_S + 2 * tolerance + TTL);
    await expect(
      verifyToken(ahead.keys, ahead.token, {
        ...verifyOptions,
        maxLifetimeSeconds: TTL,
        clockToleranceSeconds: tolerance,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_LIFETIME_EXCEEDED' });
  });

  it('the boundary: TTL + tolerance is accepted, one second more is refused', async () => {
    const tolerance = 5;
    const atCap = await joseSigned(NOW_S, NOW_S + TTL + tolerance);
    await expect(
      verifyToken(atCap.keys, atCap.token, {
        ...verifyOptions,
        maxLifetimeSeconds: TTL,
        clockToleranceSeconds: tolerance,
      }),
    ).resolves.toBeDefined();
    const over = await joseSigned(NOW_S, NOW_S + TTL + tolerance + 1);
    await expect(
      verifyToken(over.keys, over.token, {
        ...verifyOptions,
        maxLifetimeSeconds: TTL,
        clockToleranceSeconds: tolerance,
      }),
    ).rejects.toMatchObject({ code: 'TOKEN_LIFETIME_EXCEEDED' });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '900'])(
    'maxLifetimeSeconds %s is INVALID_ARGUMENT naming the option',
    async (value) => {
      const { token, keys } = await joseSigned(NOW_S, NOW_S + 60);
      await expect(
        verifyToken(keys, token, { ...verifyOptions, maxLifetimeSeconds: value as number }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('maxLifetimeSeconds'),
      });
    },
  );
});
