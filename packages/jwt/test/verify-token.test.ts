/** Claims, clock, audience/issuer, revocation and malformed-input behaviour of verifyToken (RFC 7519 §7.2). */
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/sign-access-token.js';
import { signRefreshToken } from '../src/sign-refresh-token.js';
import { MAX_TOKEN_LENGTH, verifyToken } from '../src/verify-token.js';
import {
  AUDIENCE,
  accessPayload,
  b64u,
  decodePart,
  forge,
  ISSUER,
  keySetFor,
  NOW,
  NOW_S,
  signOptions,
  verifyOptions,
} from './helpers.js';

const at = (seconds: number) => new Date((NOW_S + seconds) * 1000);

async function accessToken(ttlSeconds = 60) {
  const keys = await keySetFor('EdDSA');
  const signed = await signAccessToken(
    keys,
    { sub: 'user-1', deviceId: 'dev-1', sid: 's-1' },
    { ...signOptions, ttlSeconds },
  );
  return { keys, ...signed };
}

describe('issued tokens', () => {
  it('carry the contract header and claims', async () => {
    const { keys, token, jti, expiresAt } = await accessToken();
    expect(decodePart(token, 0)).toEqual({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' });
    expect(decodePart(token, 1)).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: AUDIENCE,
      exp: NOW_S + 60,
      nbf: NOW_S,
      iat: NOW_S,
      jti,
      typ: 'access',
      deviceId: 'dev-1',
      sid: 's-1',
    });
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(expiresAt).toEqual(at(60));
  });

  it('use a fresh 128-bit jti each time unless one is given', async () => {
    const keys = await keySetFor('EdDSA');
    const a = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    const b = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    expect(a.jti).not.toBe(b.jti);
    const c = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, { ...signOptions, jti: 'fixed' });
    expect(c.jti).toBe('fixed');
  });

  it('default lifetimes: access 15 minutes, refresh 30 days', async () => {
    const keys = await keySetFor('EdDSA');
    expect((await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions)).expiresAt).toEqual(
      at(900),
    );
    const refresh = await signRefreshToken(
      keys,
      { sub: 'u', deviceId: 'd', familyId: 'f', generation: 1 },
      signOptions,
    );
    expect(refresh.expiresAt).toEqual(at(30 * 24 * 3600));
  });
});

describe('clock (frozen now)', () => {
  it('accepts up to the tolerance after exp and refuses from exp + tolerance on', async () => {
    const { keys, token } = await accessToken(60);
    await expect(verifyToken(keys, token, { ...verifyOptions, now: at(59) })).resolves.toBeTruthy();
    await expect(
      verifyToken(keys, token, { ...verifyOptions, now: at(60), clockToleranceSeconds: 0 }),
    ).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
      message: 'token has expired',
    });
    await expect(verifyToken(keys, token, { ...verifyOptions, now: at(64) })).resolves.toBeTruthy();
    await expect(verifyToken(keys, token, { ...verifyOptions, now: at(65) })).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });

  it('refuses before nbf beyond the tolerance', async () => {
    const { keys, token } = await accessToken(60);
    await expect(verifyToken(keys, token, { ...verifyOptions, now: at(-5) })).resolves.toBeTruthy();
    await expect(verifyToken(keys, token, { ...verifyOptions, now: at(-6) })).rejects.toMatchObject({
      code: 'TOKEN_NOT_YET_VALID',
    });
    await expect(
      verifyToken(keys, token, { ...verifyOptions, now: at(-1), clockToleranceSeconds: 0 }),
    ).rejects.toMatchObject({
      code: 'TOKEN_NOT_YET_VALID',
    });
  });

  it.each([-1, 301, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses clockToleranceSeconds %s',
    async (tolerance) => {
      const { keys, token } = await accessToken();
      await expect(
        verifyToken(keys, token, { ...verifyOptions, clockToleranceSeconds: tolerance }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    },
  );
});

describe('audience and issuer', () => {
  it('refuses another audience', async () => {
    const { keys, token } = await accessToken();
    await expect(verifyToken(keys, token, { ...verifyOptions, audience: 'other-api' })).rejects.toMatchObject(
      {
        code: 'TOKEN_AUDIENCE_INVALID',
      },
    );
  });

  it('refuses another issuer', async () => {
    const { keys, token } = await accessToken();
    await expect(
      verifyToken(keys, token, { ...verifyOptions, issuer: 'https://evil.example' }),
    ).rejects.toMatchObject({
      code: 'TOKEN_ISSUER_INVALID',
    });
  });

  it('accepts an audience array containing ours (RFC 7519 §4.1.3), refuses one without', async () => {
    const { importJWK, SignJWT } = await import('jose');
    const keys = await keySetFor('EdDSA');
    const key = await importJWK(keys.active.exportPrivate().jwk, 'EdDSA');
    const make = (aud: string[]) =>
      new SignJWT({ typ: 'access', deviceId: 'd' })
        .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' })
        .setSubject('u')
        .setIssuer(ISSUER)
        .setAudience(aud)
        .setJti('j')
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + 60)
        .sign(key);
    await expect(verifyToken(keys, await make(['a', AUDIENCE]), verifyOptions)).resolves.toBeTruthy();
    await expect(verifyToken(keys, await make(['a', 'b']), verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_AUDIENCE_INVALID',
    });
  });
});

describe('revocation', () => {
  it('refuses a revoked jti (sync and async callback) and passes the jti to it', async () => {
    const { keys, token, jti } = await accessToken();
    const seen: string[] = [];
    await expect(
      verifyToken(keys, token, { ...verifyOptions, isRevoked: (id) => seen.push(id) > 0 && id === jti }),
    ).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    await expect(
      verifyToken(keys, token, { ...verifyOptions, isRevoked: async (id) => id === jti }),
    ).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    await expect(
      verifyToken(keys, token, { ...verifyOptions, isRevoked: () => false }),
    ).resolves.toBeTruthy();
    expect(seen).toEqual([jti]);
  });

  it('fails closed when the revocation check throws', async () => {
    const { keys, token } = await accessToken();
    await expect(
      verifyToken(keys, token, {
        ...verifyOptions,
        isRevoked: () => {
          throw new Error('revocation store down');
        },
      }),
    ).rejects.toThrow('revocation store down');
  });
});

describe('long-lived token (lifetime cap)', () => {
  it('refuses a validly signed token whose exp - iat exceeds maxLifetimeSeconds + tolerance', async () => {
    const { keys, token } = await accessToken(365 * 24 * 3600);
    await expect(verifyToken(keys, token, verifyOptions)).resolves.toBeTruthy();
    await expect(
      verifyToken(keys, token, { ...verifyOptions, maxLifetimeSeconds: 900 }),
    ).rejects.toMatchObject({
      code: 'TOKEN_LIFETIME_EXCEEDED',
      message: 'token lifetime exceeds the accepted maximum',
    });
  });

  it('accepts a lifetime up to the cap plus the clock tolerance, not one second more', async () => {
    const cap = { ...verifyOptions, maxLifetimeSeconds: 900, clockToleranceSeconds: 5 };
    await expect(
      verifyToken((await accessToken(905)).keys, (await accessToken(905)).token, cap),
    ).resolves.toBeTruthy();
    const over = await accessToken(906);
    await expect(verifyToken(over.keys, over.token, cap)).rejects.toMatchObject({
      code: 'TOKEN_LIFETIME_EXCEEDED',
    });
  });

  it.each([0, -1, Number.NaN, '900'])(
    'refuses maxLifetimeSeconds %s with INVALID_ARGUMENT',
    async (value) => {
      const { keys, token } = await accessToken();
      await expect(
        verifyToken(keys, token, { ...verifyOptions, maxLifetimeSeconds: value as number }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    },
  );
});

describe('claims signed by us but invalid', () => {
  async function signedWith(claims: Record<string, unknown>, typ = 'access') {
    const { importJWK, SignJWT } = await import('jose');
    const keys = await keySetFor('EdDSA');
    const key = await importJWK(keys.active.exportPrivate().jwk, 'EdDSA');
    const base = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'u',
      jti: 'j',
      iat: NOW_S,
      exp: NOW_S + 60,
      typ,
      deviceId: 'd',
    };
    const token = await new SignJWT({ ...base, ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ: typ === 'access' ? 'at+jwt' : 'rt+jwt' })
      .sign(key);
    return { keys, token };
  }

  it.each([
    ['sub', { sub: undefined }],
    ['sub', { sub: 42 }],
    ['sub', { sub: '' }],
    ['jti', { jti: undefined }],
    ['deviceId', { deviceId: undefined }],
    ['iss', { iss: 7 }],
    ['exp', { exp: undefined }],
    ['exp', { exp: '9999999999' }],
    ['iat', { iat: undefined }],
    ['nbf', { nbf: 'now' }],
    ['aud', { aud: 5 }],
    ['aud', { aud: [AUDIENCE, 5] }],
    ['roles', { roles: 'admin' }],
    ['sid', { sid: 1 }],
  ])('refuses a bad %s claim', async (name, claims) => {
    const { keys, token } = await signedWith(claims);
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_CLAIM_INVALID',
      message: `"${name}" claim missing or invalid`,
    });
  });

  it.each([
    ['familyId', { familyId: undefined, generation: 0 }],
    ['generation', { familyId: 'f', generation: -1 }],
    ['generation', { familyId: 'f', generation: 1.5 }],
    ['generation', { familyId: 'f', generation: '1' }],
  ])('refuses a refresh token with a bad %s', async (name, claims) => {
    const { keys, token } = await signedWith(claims, 'refresh');
    await expect(verifyToken(keys, token, { ...verifyOptions, typ: 'refresh' })).rejects.toMatchObject({
      code: 'TOKEN_CLAIM_INVALID',
      message: `"${name}" claim missing or invalid`,
    });
  });

  it('refuses an iat in the future beyond the tolerance', async () => {
    const { keys, token } = await signedWith({ iat: NOW_S + 3600, exp: NOW_S + 7200 });
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_NOT_YET_VALID',
    });
  });
});

describe('malformed tokens', () => {
  it.each([
    ['empty string', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['JWE-like five parts', 'a.b.c.d.e'],
    ['padding in header', `${b64u({ alg: 'EdDSA' })}=.e30.AAAA`],
    ['standard base64 chars', `${b64u({ alg: 'EdDSA' })}+/.e30.AAAA`],
    ['whitespace', ` ${b64u({ alg: 'EdDSA' })}.e30.AAAA`],
    ['header not JSON', `${b64u('not json')}.e30.AAAA`],
    ['header JSON array', `${b64u([1, 2])}.e30.AAAA`],
    ['header JSON null', `${b64u('null')}.e30.AAAA`],
    ['header JSON string', `${b64u('"EdDSA"')}.e30.AAAA`],
    ['empty header', '.e30.AAAA'],
    ['header invalid UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.e30.AAAA`],
    ['non-canonical base64url (trailing bits)', `${b64u({ alg: 'EdDSA' }).slice(0, -1)}B.e30.AAAA`],
  ])('%s → TOKEN_MALFORMED', async (_name, token) => {
    const keys = await keySetFor('EdDSA');
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('payload that is not a JSON object → TOKEN_MALFORMED (after the signature check)', async () => {
    const { importJWK, CompactSign } = await import('jose');
    const keys = await keySetFor('EdDSA');
    const key = await importJWK(keys.active.exportPrivate().jwk, 'EdDSA');
    for (const payload of ['[1]', 'null', 'hello', '"s"']) {
      const token = await new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ: 'at+jwt' })
        .sign(key);
      await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
        code: 'TOKEN_MALFORMED',
      });
    }
  });

  it('crit and b64 headers → TOKEN_MALFORMED even when correctly signed', async () => {
    const keys = await keySetFor('HS256');
    const secret = Buffer.from(keys.active.exportPrivate().jwk.k as string, 'base64url');
    const header = { alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' };
    await expect(
      verifyToken(keys, forge(header, accessPayload(), secret), verifyOptions),
    ).resolves.toBeTruthy();
    const ext = 'https://city.example/ext';
    const crit = forge({ ...header, crit: [ext], [ext]: true }, accessPayload(), secret);
    await expect(verifyToken(keys, crit, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
      message: 'token header "crit" is not supported',
    });
    const b64 = forge({ ...header, b64: false }, accessPayload(), secret);
    await expect(verifyToken(keys, b64, verifyOptions)).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('oversized tokens are refused before parsing', async () => {
    const keys = await keySetFor('EdDSA');
    const huge = `${b64u({ alg: 'EdDSA', kid: keys.active.kid })}.${'A'.repeat(MAX_TOKEN_LENGTH)}.AAAA`;
    await expect(verifyToken(keys, huge, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
      message: `token longer than ${MAX_TOKEN_LENGTH} characters`,
    });
  });

  it.each([undefined, null, 42, {}, ['a.b.c']])('non-string token %j → TOKEN_MALFORMED', async (token) => {
    const keys = await keySetFor('EdDSA');
    await expect(verifyToken(keys, token as unknown as string, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_MALFORMED',
    });
  });

  it('bad base64url or wrong-length signatures → TOKEN_SIGNATURE_INVALID with the fixed message', async () => {
    const { keys, token } = await accessToken();
    const [h, p, s] = token.split('.') as [string, string, string];
    for (const sig of ['', 'A', '!!!!', `${s}AA`, s.slice(0, -4), `${s}=`]) {
      await expect(verifyToken(keys, `${h}.${p}.${sig}`, verifyOptions)).rejects.toMatchObject({
        code: 'TOKEN_SIGNATURE_INVALID',
        message: 'signature verification failed',
      });
    }
  });

  it('a payload modified after signing fails the signature', async () => {
    const { keys, token } = await accessToken();
    const [h, , s] = token.split('.');
    const claims = { ...decodePart(token, 1), sub: 'admin' };
    await expect(verifyToken(keys, `${h}.${b64u(claims)}.${s}`, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
    });
  });
});

describe('wrong input', () => {
  it.each([
    ['typ', { typ: 'id' }],
    ['issuer', { issuer: '' }],
    ['audience', { audience: undefined }],
    ['now', { now: new Date('nope') }],
    ['algorithms', { algorithms: [] }],
    ['algorithms', { algorithms: ['HS512'] }],
    ['isRevoked', { isRevoked: 'yes' }],
  ])('verifyToken refuses bad options.%s', async (_name, patch) => {
    const { keys, token } = await accessToken();
    await expect(
      verifyToken(keys, token, { ...verifyOptions, ...(patch as object) } as typeof verifyOptions),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['claims.sub', { sub: '' }, {}],
    ['claims.deviceId', { deviceId: undefined }, {}],
    ['claims.roles', { roles: 'admin' }, {}],
    ['claims.iss', { iss: 'override' }, {}],
    ['claims.exp', { exp: 1 }, {}],
    ['claims.typ', { typ: 'refresh' }, {}],
    ['options.issuer', {}, { issuer: '' }],
    ['options.ttlSeconds', {}, { ttlSeconds: 0 }],
    ['options.ttlSeconds', {}, { ttlSeconds: 1.5 }],
    ['options.now', {}, { now: 'yesterday' }],
    ['options.jti', {}, { jti: '' }],
  ])('signAccessToken refuses bad %s', async (name, claims, options) => {
    const keys = await keySetFor('EdDSA');
    await expect(
      signAccessToken(
        keys,
        { sub: 'u', deviceId: 'd', ...(claims as object) } as { sub: string; deviceId: string },
        { ...signOptions, ...(options as object) },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`"${name}"`) });
  });

  it.each([
    ['claims.generation', { generation: -1 }],
    ['claims.generation', { generation: 0.5 }],
    ['claims.familyId', { familyId: '' }],
    ['claims.sub', { sub: undefined }],
  ])('signRefreshToken refuses bad %s', async (name, patch) => {
    const keys = await keySetFor('EdDSA');
    await expect(
      signRefreshToken(
        keys,
        { sub: 'u', deviceId: 'd', familyId: 'f', generation: 0, ...(patch as object) },
        signOptions,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`"${name}"`) });
  });

  it('signing with a verify-only key set is KEY_INVALID', async () => {
    const { importSigningKey } = await import('../src/import-signing-key.js');
    const { KeySet } = await import('../src/key-set.js');
    const signer = await keySetFor('EdDSA');
    const verifier = KeySet.create([
      await importSigningKey({ alg: 'EdDSA', publicKeyPem: signer.active.publicKeyPem()! }),
    ]);
    await expect(signAccessToken(verifier, { sub: 'u', deviceId: 'd' }, signOptions)).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
    const { token } = await signAccessToken(signer, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(verifyToken(verifier, token, { ...verifyOptions, now: NOW })).resolves.toBeTruthy();
  });
});
