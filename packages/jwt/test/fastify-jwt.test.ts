/**
 * Plugging our keys into @fastify/jwt 10 (fast-jwt): tokens from signAccessToken verify through a
 * real Fastify instance; refresh tokens, foreign keys, retired keys and confusion attempts do not.
 */
import fastifyJwt from '@fastify/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyJwtOptions } from '../src/fastify-jwt-options.js';
import { generateSigningKey } from '../src/generate-signing-key.js';
import { KeySet } from '../src/key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { signRefreshToken } from '../src/sign-refresh-token.js';
import { verifyToken } from '../src/verify-token.js';
import { AUDIENCE, accessPayload, forge, ISSUER, keyFor, keySetFor } from './helpers.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function buildApp(keys: KeySet): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(fastifyJwt, fastifyJwtOptions(keys, { issuer: ISSUER, audience: AUDIENCE }) as never);
  app.get('/me', async (request) => {
    await request.jwtVerify();
    return request.user;
  });
  await app.ready();
  return app;
}

const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });

// fast-jwt checks exp against the real clock, so these tokens are issued now.
const claims = { sub: 'user-1', deviceId: 'dev-1', roles: ['user'] };
const options = { issuer: ISSUER, audience: AUDIENCE };

describe.each(['EdDSA', 'ES256', 'RS256', 'HS256'] as const)('@fastify/jwt with a %s key set', (alg) => {
  it('verifies a token signed by signAccessToken', async () => {
    const keys = await keySetFor(alg);
    const app = await buildApp(keys);
    const { token, jti } = await signAccessToken(keys, claims, options);
    const res = await me(app, token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      sub: 'user-1',
      deviceId: 'dev-1',
      jti,
      typ: 'access',
      iss: ISSUER,
      aud: AUDIENCE,
    });
  });

  it('a token signed by fastify.jwt.sign verifies with verifyToken', async () => {
    const keys = await keySetFor(alg);
    const app = await buildApp(keys);
    const token = app.jwt.sign({ sub: 'user-2', deviceId: 'dev-2', typ: 'access', jti: 'fj-1' });
    const { claims: verified, header } = await verifyToken(keys, token, { typ: 'access', ...options });
    expect(header).toEqual({ alg, kid: keys.active.kid, typ: 'at+jwt' });
    expect(verified).toMatchObject({ sub: 'user-2', iss: ISSUER, aud: AUDIENCE });
  });

  it('refuses a refresh token, a wrong audience and a token from another key', async () => {
    const keys = await keySetFor(alg);
    const app = await buildApp(keys);
    const refresh = await signRefreshToken(
      keys,
      { sub: 'u', deviceId: 'd', familyId: 'f', generation: 0 },
      options,
    );
    const refused = await me(app, refresh.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'TOKEN_TYPE_INVALID' });
    const otherAudience = await signAccessToken(keys, claims, { ...options, audience: 'other' });
    expect((await me(app, otherAudience.token)).statusCode).toBe(401);
    const stranger = KeySet.create([
      await generateSigningKey(alg, {
        kid: keys.active.kid,
        ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
      }),
    ]);
    const forged = await signAccessToken(stranger, claims, options);
    expect((await me(app, forged.token)).statusCode).toBe(401);
  });
});

describe('@fastify/jwt with a mixed, rotating key set', () => {
  it('verifies by kid across algorithms and stops accepting a retired key', async () => {
    const oldKey = await generateSigningKey('RS256', { modulusLength: 2048 });
    const keys = KeySet.create([oldKey]);
    const oldToken = await signAccessToken(keys, claims, options);
    keys.rotate(await keyFor('EdDSA'));
    const app = await buildApp(keys);
    const newToken = await signAccessToken(keys, claims, options);
    expect((await me(app, oldToken.token)).statusCode).toBe(200);
    expect((await me(app, newToken.token)).statusCode).toBe(200);
    keys.retire(oldKey.kid);
    expect((await me(app, oldToken.token)).statusCode).toBe(401);
    expect((await me(app, newToken.token)).statusCode).toBe(200);
  });

  it('refuses HS256 forged with an asymmetric public PEM even when the set also holds an HS256 key', async () => {
    const ed = await keyFor('EdDSA');
    const keys = KeySet.create([ed, await keyFor('HS256')], ed.kid);
    const app = await buildApp(keys);
    const now = Math.floor(Date.now() / 1000);
    const token = forge(
      { alg: 'HS256', kid: ed.kid, typ: 'at+jwt' },
      accessPayload({ iat: now, nbf: now, exp: now + 60 }),
      ed.publicKeyPem()!,
    );
    expect((await me(app, token)).statusCode).toBe(401);
  });

  it('refuses alg none', async () => {
    const keys = await keySetFor('EdDSA');
    const app = await buildApp(keys);
    const now = Math.floor(Date.now() / 1000);
    const token = forge(
      { alg: 'none', kid: keys.active.kid, typ: 'at+jwt' },
      accessPayload({ iat: now, exp: now + 60 }),
    );
    expect((await me(app, token)).statusCode).toBe(401);
  });
});

describe('fastifyJwtOptions', () => {
  it('throws a clear KEY_INVALID for an ML-DSA-65 signer', async () => {
    const keys = await keySetFor('ML-DSA-65');
    expect(() => fastifyJwtOptions(keys, options)).toThrow(
      expect.objectContaining({
        code: 'KEY_INVALID',
        message:
          '@fastify/jwt (fast-jwt) does not support ML-DSA-65; verify ML-DSA-65 tokens with verifyToken from @city/jwt',
      }),
    );
  });

  it('leaves ML-DSA-65 keys out of the allow-list when they only verify', async () => {
    const keys = KeySet.create([await keyFor('EdDSA'), await keyFor('ML-DSA-65')]);
    expect(fastifyJwtOptions(keys, options).verify.algorithms).toEqual(['EdDSA']);
  });

  it('exposes the documented option shape', async () => {
    const keys = await keySetFor('ES256');
    const built = fastifyJwtOptions(keys, options);
    expect(built.sign).toEqual({
      algorithm: 'ES256',
      kid: keys.active.kid,
      iss: ISSUER,
      aud: AUDIENCE,
      typ: 'at+jwt',
      expiresIn: 900_000,
    });
    expect(built.verify).toMatchObject({
      algorithms: ['ES256'],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      checkTyp: 'at+jwt',
    });
    expect(built.secret.private).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const header = { alg: 'ES256', kid: keys.active.kid, typ: 'at+jwt' };
    expect(await built.secret.public(undefined, { header, payload: { typ: 'access' } })).toBe(
      keys.active.publicKeyPem(),
    );
    const payload = { typ: 'access' };
    await expect(
      built.secret.public(undefined, { header: { alg: 'ES256', kid: keys.active.kid }, payload }),
    ).rejects.toMatchObject({
      code: 'TOKEN_TYPE_INVALID',
    });
    await expect(
      built.secret.public(undefined, { header: { alg: 'HS256', kid: keys.active.kid } }),
    ).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
    await expect(
      built.secret.public(undefined, { header: { alg: 'ES256', kid: 'nope' } }),
    ).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
  });

  it.each([
    ['options.issuer', { issuer: '', audience: AUDIENCE }],
    ['options.audience', { issuer: ISSUER }],
  ])('refuses bad %s', async (name, opts) => {
    const keys = await keySetFor('EdDSA');
    expect(() => fastifyJwtOptions(keys, opts as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`"${name}"`) }),
    );
  });
});
