/**
 * RemoteKeySet against a real HTTP server on 127.0.0.1 serving a JWKS from a KeySet: caching by
 * Cache-Control, the re-fetch cooldown, rotation, timeouts and malformed sets; `jose`'s
 * createRemoteJWKSet verifies the same tokens from the same URL as the independent oracle.
 * The cache clock is injected (`now`), so nothing here depends on wall-clock time.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/generate-signing-key.js';
import type { Jwks } from '../src/jwk.js';
import type { JwtAlgorithm } from '../src/jwt-algorithm.js';
import { KeySet } from '../src/key-set.js';
import { RemoteKeySet } from '../src/remote-key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { AUDIENCE, b64u, ISSUER, keyFor, NOW, signOptions, verifyOptions } from './helpers.js';

interface Served {
  body: () => string;
  status: number;
  cacheControl: string | undefined;
  /** When true the server accepts the request and never answers. */
  hang: boolean;
  requests: number;
}

let server: Server;
let baseUrl: string;
const hanging = new Set<ServerResponse>();
const served: Served = {
  body: () => '{"keys":[]}',
  status: 200,
  cacheControl: undefined,
  hang: false,
  requests: 0,
};

function serve(jwks: Jwks | (() => Jwks), cacheControl?: string): void {
  served.body = () => JSON.stringify(typeof jwks === 'function' ? jwks() : jwks);
  served.status = 200;
  served.cacheControl = cacheControl;
  served.hang = false;
  served.requests = 0;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    served.requests += 1;
    if (served.hang) {
      hanging.add(response);
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (served.cacheControl !== undefined) headers['cache-control'] = served.cacheControl;
    response.writeHead(served.status, headers).end(request.method === 'GET' ? served.body() : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A settable clock for the cache (milliseconds). */
function fakeClock(start = 1_000_000): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (seconds) => (t += seconds * 1000) };
}

async function accessToken(keys: KeySet, now = NOW): Promise<string> {
  return (
    await signAccessToken(
      keys,
      { sub: 'user-1', deviceId: 'dev-1', roles: ['user'], sid: 's-1' },
      {
        ...signOptions,
        now,
      },
    )
  ).token;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

const REMOTE_ALGORITHMS: JwtAlgorithm[] = ['EdDSA', 'ES256', 'ML-DSA-65'];

describe.each(REMOTE_ALGORITHMS)('%s tokens verify against a remote JWKS', (alg) => {
  it('verifies like a local key set, and jose createRemoteJWKSet agrees on the same URL', async () => {
    const keys = KeySet.create([await keyFor(alg)]);
    serve(() => keys.toJWKS());
    const token = await accessToken(keys);
    const remote = RemoteKeySet.fromUrl(baseUrl);
    const ours = await verifyToken(remote, token, verifyOptions);
    const local = await verifyToken(keys, token, verifyOptions);
    expect(ours).toEqual(local);

    const jose = await jwtVerify(token, createRemoteJWKSet(new URL(baseUrl)), {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      algorithms: [alg],
      currentDate: NOW,
    });
    expect(jose.payload).toEqual(ours.claims);
    expect(jose.protectedHeader).toEqual(ours.header);
  });

  it('refuses what a local set refuses: wrong issuer, audience, type, and a lifetime over the cap', async () => {
    const keys = KeySet.create([await keyFor(alg)]);
    serve(() => keys.toJWKS());
    const remote = RemoteKeySet.fromUrl(baseUrl);
    const token = await accessToken(keys);
    expect(
      await codeOf(verifyToken(remote, token, { ...verifyOptions, issuer: 'https://evil.example' })),
    ).toBe('TOKEN_ISSUER_INVALID');
    expect(await codeOf(verifyToken(remote, token, { ...verifyOptions, audience: 'other-api' }))).toBe(
      'TOKEN_AUDIENCE_INVALID',
    );
    expect(await codeOf(verifyToken(remote, token, { ...verifyOptions, typ: 'refresh' }))).toBe(
      'TOKEN_TYPE_INVALID',
    );
    const longLived = (
      await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, { ...signOptions, ttlSeconds: 10 * 24 * 3600 })
    ).token;
    expect(await codeOf(verifyToken(remote, longLived, { ...verifyOptions, maxLifetimeSeconds: 900 }))).toBe(
      'TOKEN_LIFETIME_EXCEEDED',
    );
  });
});

describe('RemoteKeySet caching and rotation', () => {
  let keys: KeySet;
  beforeEach(async () => {
    keys = KeySet.create([await generateSigningKey('EdDSA')]);
  });

  it('a rotated signing key is accepted at once (one re-fetch), and tokens of the old key still verify', async () => {
    serve(() => keys.toJWKS(), 'public, max-age=300');
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, { now: clock.now });
    const before = await accessToken(keys);
    await verifyToken(remote, before, verifyOptions);
    expect(served.requests).toBe(1);

    clock.advance(31); // past the cooldown, well within max-age
    keys.rotate(await generateSigningKey('ES256'));
    const after = await accessToken(keys);
    const verified = await verifyToken(remote, after, verifyOptions);
    expect(verified.header.kid).toBe(keys.active.kid);
    expect(served.requests).toBe(2);
    await verifyToken(remote, before, verifyOptions);
    expect(served.requests).toBe(2);

    // jose follows the same rotation from the same URL.
    const jose = createRemoteJWKSet(new URL(baseUrl));
    for (const token of [before, after]) {
      await expect(
        jwtVerify(token, jose, { issuer: ISSUER, audience: AUDIENCE, currentDate: NOW }),
      ).resolves.toBeDefined();
    }
  });

  it('a retired key stops verifying once the set is fetched again', async () => {
    const old = keys.active;
    serve(() => keys.toJWKS(), 'max-age=60');
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, { now: clock.now });
    const token = await accessToken(keys);
    await verifyToken(remote, token, verifyOptions);
    keys.rotate(await generateSigningKey('EdDSA'));
    keys.retire(old.kid);
    clock.advance(61);
    expect(await codeOf(verifyToken(remote, token, verifyOptions))).toBe('JWKS_NO_MATCHING_KEY');
  });

  it('serves from the cache for the Cache-Control max-age, then fetches again', async () => {
    serve(() => keys.toJWKS(), 'public, max-age=120');
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, { now: clock.now, cacheMaxAgeSeconds: 10 });
    const token = await accessToken(keys);
    await verifyToken(remote, token, verifyOptions);
    clock.advance(119);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(1);
    clock.advance(2);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(2);
  });

  it('without Cache-Control uses cacheMaxAgeSeconds; no-store is stale at once but re-fetches only after the cooldown', async () => {
    serve(() => keys.toJWKS());
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, {
      now: clock.now,
      cacheMaxAgeSeconds: 50,
      cooldownSeconds: 5,
    });
    const token = await accessToken(keys);
    await verifyToken(remote, token, verifyOptions);
    clock.advance(49);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(1);
    clock.advance(2);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(2);

    served.cacheControl = 'no-store';
    clock.advance(60);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(3);
    clock.advance(4);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(3);
    clock.advance(1);
    await verifyToken(remote, token, verifyOptions);
    expect(served.requests).toBe(4);
  });

  it('kid flooding: tokens with invented kids cause at most one fetch per cooldown', async () => {
    serve(() => keys.toJWKS(), 'max-age=600');
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, { now: clock.now, cooldownSeconds: 30 });
    await verifyToken(remote, await accessToken(keys), verifyOptions);
    expect(served.requests).toBe(1);
    const forged = (kid: string) =>
      `${b64u({ alg: 'EdDSA', kid, typ: 'at+jwt' })}.${b64u({ sub: 'x' })}.${'A'.repeat(86)}`;

    clock.advance(31);
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        codeOf(verifyToken(remote, forged(`invented-${i}`), verifyOptions)),
      ),
    );
    expect(new Set(codes)).toEqual(new Set(['JWKS_NO_MATCHING_KEY']));
    expect(served.requests).toBe(2);
    clock.advance(10);
    expect(await codeOf(verifyToken(remote, forged('another'), verifyOptions))).toBe('JWKS_NO_MATCHING_KEY');
    expect(served.requests).toBe(2);
    clock.advance(21);
    expect(await codeOf(verifyToken(remote, forged('later'), verifyOptions))).toBe('JWKS_NO_MATCHING_KEY');
    expect(served.requests).toBe(3);
  });

  it('concurrent first lookups share one request', async () => {
    serve(() => keys.toJWKS());
    const remote = RemoteKeySet.fromUrl(baseUrl);
    const token = await accessToken(keys);
    await Promise.all(Array.from({ length: 20 }, () => verifyToken(remote, token, verifyOptions)));
    expect(served.requests).toBe(1);
  });
});

describe('RemoteKeySet failures', () => {
  it('a server that does not answer in time is JWKS_TIMEOUT', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    serve(() => keys.toJWKS());
    served.hang = true;
    const remote = RemoteKeySet.fromUrl(baseUrl, { timeoutMs: 100 });
    expect(await codeOf(verifyToken(remote, await accessToken(keys), verifyOptions))).toBe('JWKS_TIMEOUT');
  });

  it('an error status, a redirect or an unreachable server is JWKS_FETCH_FAILED', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    const token = await accessToken(keys);
    serve(() => keys.toJWKS());
    served.status = 503;
    expect(await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), token, verifyOptions))).toBe(
      'JWKS_FETCH_FAILED',
    );
    served.status = 302;
    expect(await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), token, verifyOptions))).toBe(
      'JWKS_FETCH_FAILED',
    );
    // A port that was just released refuses connections.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = RemoteKeySet.fromUrl(`http://127.0.0.1:${port}/jwks.json`);
    expect(await codeOf(verifyToken(closed, token, verifyOptions))).toBe('JWKS_FETCH_FAILED');
  });

  it('an oversized body is JWKS_FETCH_FAILED', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    serve({ keys: [...keys.toJWKS().keys, { kty: 'OKP', pad: 'x'.repeat(4096) }] });
    const remote = RemoteKeySet.fromUrl(baseUrl, { maxResponseBytes: 1024 });
    expect(await codeOf(verifyToken(remote, await accessToken(keys), verifyOptions))).toBe(
      'JWKS_FETCH_FAILED',
    );
  });

  it.each([
    ['not JSON', '<html>'],
    ['not a key set', '{"kids":[]}'],
    ['an array', '[]'],
  ])('a body that is %s is JWKS_INVALID', async (_name, body) => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    serve({ keys: [] });
    served.body = () => body;
    expect(
      await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), await accessToken(keys), verifyOptions)),
    ).toBe('JWKS_INVALID');
  });

  it('two keys under one kid refuse the whole set (JWKS_INVALID)', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    const real = keys.toJWKS().keys[0]!;
    const other = (await keyFor('ES256')).publicJwk()!;
    serve({ keys: [real, { ...other, kid: real.kid }] });
    expect(
      await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), await accessToken(keys), verifyOptions)),
    ).toBe('JWKS_INVALID');
  });

  it('keeps the last good keys when a re-fetch fails, and reports the failure', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    serve(() => keys.toJWKS(), 'max-age=10');
    const clock = fakeClock();
    const remote = RemoteKeySet.fromUrl(baseUrl, { now: clock.now });
    const token = await accessToken(keys);
    await verifyToken(remote, token, verifyOptions);
    served.status = 500;
    clock.advance(40);
    expect(await codeOf(verifyToken(remote, token, verifyOptions))).toBe('JWKS_FETCH_FAILED');
    // Within the cooldown after the failed attempt the cached keys answer.
    clock.advance(1);
    await expect(verifyToken(remote, token, verifyOptions)).resolves.toBeDefined();
    expect(remote.kids()).toEqual([keys.active.kid]);
  });
});

describe('algorithm confusion through a remote set', () => {
  it('an oct (HMAC) JWK in the set is never used, even with alg HS256', async () => {
    const secret = Buffer.alloc(32, 7);
    const kid = 'hmac-key';
    serve({ keys: [{ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256', kid }] });
    const { createHmac } = await import('node:crypto');
    const input = `${b64u({ alg: 'HS256', kid, typ: 'at+jwt' })}.${b64u({ sub: 'x', typ: 'access' })}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), token, verifyOptions))).toBe(
      'JWKS_NO_MATCHING_KEY',
    );
  });

  it('a token whose alg differs from its JWK alg is TOKEN_ALG_NOT_ALLOWED', async () => {
    const keys = KeySet.create([await keyFor('EdDSA')]);
    serve(() => keys.toJWKS());
    const token = await accessToken(keys);
    const [, payload, signature] = token.split('.');
    const relabelled = `${b64u({ alg: 'ES256', kid: keys.active.kid, typ: 'at+jwt' })}.${payload}.${signature}`;
    expect(await codeOf(verifyToken(RemoteKeySet.fromUrl(baseUrl), relabelled, verifyOptions))).toBe(
      'TOKEN_ALG_NOT_ALLOWED',
    );
  });

  it('JWKs without alg, with private members, or outside the allow-list are ignored', async () => {
    const ed = await generateSigningKey('EdDSA');
    const es = await generateSigningKey('ES256');
    const ml = await generateSigningKey('ML-DSA-65');
    const { alg: _alg, ...noAlg } = ed.publicJwk()!;
    serve({ keys: [noAlg, es.exportPrivate().jwk, ml.publicJwk()!] });
    const remote = RemoteKeySet.fromUrl(baseUrl, { algorithms: ['EdDSA', 'ES256'] });
    for (const key of [ed, es, ml]) {
      const token = await accessToken(KeySet.create([key]));
      expect(await codeOf(verifyToken(remote, token, verifyOptions)), key.alg).toBe('JWKS_NO_MATCHING_KEY');
    }
    expect(remote.kids()).toEqual([]);
  });
});

describe('RemoteKeySet.fromUrl arguments', () => {
  it.each([
    ['a non-http URL', 'file:///etc/passwd', {}],
    ['an invalid URL', 'not a url', {}],
    ['HS256 in algorithms', 'http://127.0.0.1/', { algorithms: ['HS256'] }],
    ['an empty algorithms list', 'http://127.0.0.1/', { algorithms: [] }],
    ['a zero timeout', 'http://127.0.0.1/', { timeoutMs: 0 }],
    ['a negative cooldown', 'http://127.0.0.1/', { cooldownSeconds: -1 }],
    ['a NaN cache age', 'http://127.0.0.1/', { cacheMaxAgeSeconds: Number.NaN }],
  ])('refuses %s with INVALID_ARGUMENT', (_name, url, options) => {
    expect(() => RemoteKeySet.fromUrl(url, options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
