/**
 * What a resource server sees of the API: the RFC 8414 metadata and the JWKS, followed across a
 * signing-key rotation of the running server. `@city/jwt`'s RemoteKeySet and `jose`'s
 * createRemoteJWKSet (the independent oracle) verify the same tokens from the same URL.
 */
import type { AddressInfo } from 'node:net';
import { generateSigningKey, type JwtAlgorithm, RemoteKeySet, verifyToken } from '@city/jwt';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  json,
  login,
  openTestApp,
  registerAndLogin,
  type Session,
  type TestApp,
} from './helpers/test-app.js';

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp({ CITY_ISSUER: 'https://auth.city.example' });
  });
  afterAll(async () => t.close());

  it('names the issuer, jwks_uri and revocation endpoint under the issuer URL, and the algorithms of the JWKS', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const metadata = json(response);
    expect(metadata).toMatchObject({
      issuer: 'https://auth.city.example',
      jwks_uri: 'https://auth.city.example/.well-known/jwks.json',
      revocation_endpoint: 'https://auth.city.example/token/revoke',
      revocation_endpoint_auth_methods_supported: ['none'],
    });
    const jwks = json<{ keys: { alg: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }),
    );
    expect(metadata.access_token_signing_alg_values_supported).toEqual([
      ...new Set(jwks.keys.map((k) => k.alg)),
    ]);
  });

  it('builds the URLs on the request origin when the issuer is not a URL', async () => {
    const plain = await openTestApp();
    try {
      const response = await plain.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        headers: { host: 'auth.internal:8443' },
      });
      expect(json(response)).toMatchObject({
        issuer: plain.runtime.jwt.issuer,
        jwks_uri: 'http://auth.internal:8443/.well-known/jwks.json',
      });
    } finally {
      await plain.close();
    }
  });
});

describe('a resource server follows a signing-key rotation of the running API', () => {
  let t: TestApp;
  let jwksUrl: URL;
  let first: Session;

  beforeAll(async () => {
    t = await openTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    jwksUrl = new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    first = await registerAndLogin(t.app);
  });
  afterAll(async () => t.close());

  const options = () => ({
    typ: 'access' as const,
    issuer: t.runtime.jwt.issuer,
    audience: t.runtime.jwt.audience,
  });

  it.each<JwtAlgorithm>(['ES256', 'ML-DSA-65', 'EdDSA'])(
    'after rotating to %s, tokens of the new key and of the old key verify, with RemoteKeySet and with jose',
    async (alg) => {
      let clock = 1_000_000;
      const remote = RemoteKeySet.fromUrl(jwksUrl, { now: () => clock });
      const before = await login(t.app, {
        identifier: first.uuid,
        password: first.password,
        deviceId: first.deviceId,
        privateKeyPem: first.privateKeyPem,
      });
      await verifyToken(remote, before.accessToken, options());

      t.runtime.jwt.keys.rotate(await generateSigningKey(alg));
      const after = await login(t.app, {
        identifier: first.uuid,
        password: first.password,
        deviceId: first.deviceId,
        privateKeyPem: first.privateKeyPem,
      });
      expect(decodeProtectedHeader(after.accessToken)).toMatchObject({
        alg,
        kid: t.runtime.jwt.keys.active.kid,
      });
      // The API answers these tokens itself.
      expect(
        (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(after.accessToken) })).statusCode,
      ).toBe(200);

      clock += 31_000; // past the re-fetch cooldown, within the JWKS max-age
      const verified = await verifyToken(remote, after.accessToken, options());
      expect(verified.header).toMatchObject({ alg, kid: t.runtime.jwt.keys.active.kid });
      await verifyToken(remote, before.accessToken, options());

      const jose = createRemoteJWKSet(jwksUrl);
      for (const token of [before.accessToken, after.accessToken]) {
        const { payload } = await jwtVerify(token, jose, {
          issuer: t.runtime.jwt.issuer,
          audience: t.runtime.jwt.audience,
          typ: 'at+jwt',
        });
        expect(payload.sub).toBe(first.uuid);
      }
    },
  );

  it('a retired key is refused by the API, by RemoteKeySet after its next fetch, and by jose', async () => {
    const remote = RemoteKeySet.fromUrl(jwksUrl, { cooldownSeconds: 0 });
    const old = await login(t.app, {
      identifier: first.uuid,
      password: first.password,
      deviceId: first.deviceId,
      privateKeyPem: first.privateKeyPem,
    });
    await verifyToken(remote, old.accessToken, options());
    const oldKid = t.runtime.jwt.keys.active.kid;
    t.runtime.jwt.keys.rotate(await generateSigningKey('EdDSA'));
    t.runtime.jwt.keys.retire(oldKid);

    expect(
      (await t.app.inject({ method: 'GET', url: '/me', headers: bearer(old.accessToken) })).statusCode,
    ).toBe(401);
    await remote.reload();
    await expect(verifyToken(remote, old.accessToken, options())).rejects.toMatchObject({
      code: 'JWKS_NO_MATCHING_KEY',
    });
    await expect(jwtVerify(old.accessToken, createRemoteJWKSet(jwksUrl))).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });
});
