/**
 * The plugin against an issuer stand-in on 127.0.0.1 that serves RFC 8414 metadata, a JWKS from a
 * real `@city/jwt` KeySet and an RFC 7662 introspection endpoint. Routes are called through
 * `app.inject()`; clocks of the caches are injected.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, KeySet, signAccessToken } from '@city/jwt';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CityAuthOptions, cityAuth } from '../src/index.js';

const AUDIENCE = 'orders-api';
let keys: KeySet;
let server: Server;
let issuer: string;
const state = {
  metadataIssuer: undefined as string | undefined,
  revoked: new Set<string>(),
  introspections: 0,
  jwksDown: false,
  clientSecret: 's3cret value',
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  keys = KeySet.create([await generateSigningKey('EdDSA')]);
  server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/oauth-authorization-server') {
      return send(200, {
        issuer: state.metadataIssuer ?? issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${issuer}/token/introspect`,
      });
    }
    if (request.url === '/.well-known/jwks.json') {
      return state.jwksDown ? send(500, {}) : send(200, keys.toJWKS());
    }
    if (request.url === '/token/introspect' && request.method === 'POST') {
      state.introspections += 1;
      const expected = `Basic ${Buffer.from(`orders:${encodeURIComponent(state.clientSecret).replace(/%20/g, '+')}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return send(401, { error: 'invalid_client' });
      const form = new URLSearchParams(await readBody(request));
      const token = form.get('token') ?? '';
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}');
      return send(
        200,
        state.revoked.has(payload.jti) ? { active: false } : { active: true, sub: payload.sub },
      );
    }
    send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  state.metadataIssuer = undefined;
  state.revoked.clear();
  state.introspections = 0;
  state.jwksDown = false;
});

async function token(roles: string[] = ['user'], options: { ttlSeconds?: number; now?: Date } = {}) {
  return signAccessToken(
    keys,
    { sub: 'user-1', deviceId: 'dev-1', roles, sid: 'sess-1' },
    { issuer, audience: AUDIENCE, ...options },
  );
}

async function buildService(options: Partial<CityAuthOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(cityAuth, { issuer, audience: AUDIENCE, ...options });
  app.get('/open', async () => ({ ok: true }));
  app.get('/me', { config: { cityAuth: true } }, async (request) => request.cityPrincipal);
  app.get('/admin', { config: { cityAuth: { roles: ['admin'] } } }, async () => ({ ok: true }));
  app.get('/audit', { preHandler: app.cityAuth.requirePermission('audit:read') }, async () => ({ ok: true }));
  if (options.introspection !== undefined) {
    app.get('/fresh', { config: { cityAuth: { introspect: true } } }, async () => ({ ok: true }));
  }
  return app;
}

const get = (app: FastifyInstance, url: string, bearer?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
  });

function expectRefusal(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toEqual({ error: { code, message: expect.any(String) } });
  expect(response.headers['cache-control']).toBe('no-store');
}

describe('configured with the issuer alone (RFC 8414 discovery)', () => {
  it('accepts a valid token and sets the principal (user, device, roles, session)', async () => {
    const app = await buildService();
    const signed = await token(['user', 'moderator']);
    const response = await get(app, '/me', signed.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      userUuid: 'user-1',
      deviceId: 'dev-1',
      roles: ['user', 'moderator'],
      sessionId: 'sess-1',
      tokenId: signed.jti,
      expiresAt: signed.expiresAt.toISOString(),
      introspected: false,
    });
    expect((await get(app, '/open')).statusCode).toBe(200);
  });

  it('refuses metadata that names another issuer (503, fail closed)', async () => {
    state.metadataIssuer = 'https://evil.example';
    const app = await buildService();
    expectRefusal(await get(app, '/me', (await token()).token), 503, 'AUTH_SERVER_UNAVAILABLE');
  });

  it('an issuer that is not a URL needs jwksUrl (INVALID_ARGUMENT at registration)', async () => {
    await expect(buildService({ issuer: 'city-chain-auth' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('refusals are the API answers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildService({ jwksUrl: `${issuer}/.well-known/jwks.json` });
  });

  it('no token: 401 AUTHENTICATION_REQUIRED with WWW-Authenticate: Bearer realm', async () => {
    const response = await get(app, '/me');
    expectRefusal(response, 401, 'AUTHENTICATION_REQUIRED');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="city-chain-auth"');
    const basic = await app.inject({
      method: 'GET',
      url: '/me',
      headers: { authorization: 'Basic dXNlcjpwdw==' },
    });
    expectRefusal(basic, 401, 'AUTHENTICATION_REQUIRED');
  });

  it('a forged, tampered or foreign token: 401 TOKEN_INVALID with error="invalid_token"', async () => {
    const good = (await token()).token;
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${s}`;
    const foreign = (
      await signAccessToken(
        keys,
        { sub: 'u', deviceId: 'd' },
        { issuer: 'https://other.example', audience: AUDIENCE },
      )
    ).token;
    const otherAudience = (
      await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, { issuer, audience: 'x' })
    ).token;
    for (const bad of ['not-a-jwt', tampered, foreign, otherAudience]) {
      const response = await get(app, '/me', bad);
      expectRefusal(response, 401, 'TOKEN_INVALID');
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="city-chain-auth", error="invalid_token"',
      );
    }
  });

  it('algorithm confusion: an HS256 token keyed with the published public key is TOKEN_INVALID', async () => {
    const jwk = keys.active.publicJwk()!;
    const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        sub: 'u',
        deviceId: 'd',
        typ: 'access',
        iss: issuer,
        aud: AUDIENCE,
        jti: 'j',
        iat: 1,
        exp: 4e9,
      }),
    ).toString('base64url')}`;
    for (const secret of [String(jwk.x), keys.active.publicKeyPem()!]) {
      const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      expectRefusal(await get(app, '/me', forged), 401, 'TOKEN_INVALID');
    }
  });

  it('an expired token: 401 TOKEN_EXPIRED; a lifetime over the cap: 401 TOKEN_INVALID', async () => {
    const expired = await token(['user'], { now: new Date(Date.now() - 3600_000), ttlSeconds: 60 });
    expectRefusal(await get(app, '/me', expired.token), 401, 'TOKEN_EXPIRED');
    const longLived = await token(['user'], { ttlSeconds: 30 * 24 * 3600 });
    expectRefusal(await get(app, '/me', longLived.token), 401, 'TOKEN_INVALID');
  });

  it('roles and permissions from the shared table: 403 FORBIDDEN without WWW-Authenticate', async () => {
    const user = (await token(['user'])).token;
    const moderator = (await token(['moderator'])).token;
    const admin = (await token(['admin'])).token;
    const forbidden = await get(app, '/admin', user);
    expectRefusal(forbidden, 403, 'FORBIDDEN');
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
    expect((await get(app, '/admin', admin)).statusCode).toBe(200);
    expectRefusal(await get(app, '/audit', user), 403, 'FORBIDDEN');
    expect((await get(app, '/audit', moderator)).statusCode).toBe(200);
    expect((await get(app, '/audit', admin)).statusCode).toBe(200);
    // An unknown role name grants nothing.
    expectRefusal(await get(app, '/audit', (await token(['superuser'])).token), 403, 'FORBIDDEN');
  });

  it('an unreachable JWKS is 503 AUTH_SERVER_UNAVAILABLE with Retry-After, never 200', async () => {
    state.jwksDown = true;
    const fresh = await buildService({ jwksUrl: `${issuer}/.well-known/jwks.json` });
    const response = await get(fresh, '/me', (await token()).token);
    expectRefusal(response, 503, 'AUTH_SERVER_UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('5');
  });
});

describe('introspection (RFC 7662)', () => {
  it('per route: only routes marked introspect ask; a revoked token is refused there at once', async () => {
    const app = await buildService({
      introspection: {
        clientId: 'orders',
        clientSecret: state.clientSecret,
        routes: 'marked',
        cacheSeconds: 0,
      },
    });
    const signed = await token();
    expect((await get(app, '/fresh', signed.token)).statusCode).toBe(200);
    expect(state.introspections).toBe(1);
    state.revoked.add(signed.jti);
    const refused = await get(app, '/fresh', signed.token);
    expectRefusal(refused, 401, 'TOKEN_REVOKED');
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="city-chain-auth", error="invalid_token"');
    expect((await get(app, '/me', signed.token)).statusCode).toBe(200);
    expect(state.introspections).toBe(2);
  });

  it('globally with a cache: a revocation is honoured once the cached answer is older than cacheSeconds', async () => {
    let clock = 1_000_000;
    const app = await buildService({
      introspection: {
        clientId: 'orders',
        clientSecret: state.clientSecret,
        cacheSeconds: 10,
        now: () => clock,
      },
    });
    const signed = await token();
    expect((await get(app, '/me', signed.token)).json()).toMatchObject({ introspected: true });
    state.revoked.add(signed.jti);
    clock += 9_000;
    expect((await get(app, '/me', signed.token)).statusCode).toBe(200);
    expect(state.introspections).toBe(1);
    clock += 1_001;
    expectRefusal(await get(app, '/me', signed.token), 401, 'TOKEN_REVOKED');
    expect(state.introspections).toBe(2);
  });

  it('wrong client credentials are 503 AUTH_SERVER_UNAVAILABLE (fail closed), not access', async () => {
    const app = await buildService({ introspection: { clientId: 'orders', clientSecret: 'wrong' } });
    expectRefusal(await get(app, '/me', (await token()).token), 503, 'AUTH_SERVER_UNAVAILABLE');
  });
});

describe('options', () => {
  it.each([
    ['no audience', { audience: '' }],
    ['a bad route rule', {}],
    ['a route asking for introspection without introspection options', {}],
    ['introspection without a secret', { introspection: { clientId: 'x', clientSecret: '' } }],
    ['a negative lifetime cap', { maxTokenLifetimeSeconds: -1 }],
  ])('refuses %s with INVALID_ARGUMENT', async (name, options) => {
    const build = async () => {
      const app = Fastify({ logger: false });
      await app.register(cityAuth, { issuer, audience: AUDIENCE, ...(options as Partial<CityAuthOptions>) });
      if (name === 'a bad route rule') {
        app.get('/x', { config: { cityAuth: { roles: [] } } }, async () => ({}));
      }
      if (name.startsWith('a route asking for introspection')) {
        app.get('/y', { config: { cityAuth: { introspect: true } } }, async () => ({}));
      }
      await app.ready();
    };
    await expect(build()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('pins the public exports', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'RESOURCE_SERVER_ERRORS',
      'ResourceServerError',
      'cityAuth',
      'discoverAuthorizationServer',
      'metadataUrlOf',
    ]);
  });
});
