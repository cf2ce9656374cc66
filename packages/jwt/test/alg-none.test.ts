/** Unsecured JWS (`alg: "none"`, RFC 7518 §3.6) must never be accepted (RFC 8725 §3.1). */
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { accessPayload, forge, keySetFor, signOptions, verifyOptions } from './helpers.js';

describe('alg none', () => {
  it.each(['none', 'None', 'NONE', 'nOnE', ''])('an unsigned token with alg %j is refused', async (alg) => {
    const keys = await keySetFor('EdDSA');
    const token = forge({ alg, kid: keys.active.kid, typ: 'at+jwt' }, accessPayload());
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('alg none with a signature copied from a valid token is refused', async () => {
    const keys = await keySetFor('EdDSA');
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    const signature = token.split('.')[2]!;
    const forged = forge(
      { alg: 'none', kid: keys.active.kid, typ: 'at+jwt' },
      accessPayload(),
      undefined,
      signature,
    );
    await expect(verifyToken(keys, forged, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('a valid token with its signature stripped is refused', async () => {
    const keys = await keySetFor('ES256');
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    const stripped = `${token.split('.').slice(0, 2).join('.')}.`;
    await expect(verifyToken(keys, stripped, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
      message: 'signature verification failed',
    });
  });

  it('a missing or non-string alg is malformed', async () => {
    const keys = await keySetFor('EdDSA');
    for (const header of [
      { kid: keys.active.kid },
      { alg: null, kid: keys.active.kid },
      { alg: ['EdDSA'] },
    ]) {
      await expect(
        verifyToken(keys, forge(header, accessPayload(), undefined, 'AAAA'), verifyOptions),
      ).rejects.toMatchObject({
        code: 'TOKEN_MALFORMED',
      });
    }
  });

  it('"none" cannot be put in the allow-list', async () => {
    const keys = await keySetFor('EdDSA');
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(
      verifyToken(keys, token, { ...verifyOptions, algorithms: ['none' as 'EdDSA'] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
