/**
 * Algorithm confusion (RFC 8725 §2.1): a verifier that lets the token pick the algorithm can be
 * made to check an HS256 MAC keyed with the server's *public* key. Ours binds alg to the key.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/generate-signing-key.js';
import { importSigningKey } from '../src/import-signing-key.js';
import { KeySet } from '../src/key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { accessPayload, b64u, forge, keyFor, keySetFor, signOptions, verifyOptions } from './helpers.js';

const ASYMMETRIC = ['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'] as const;

describe.each(ASYMMETRIC)('HS256 forged with the %s public key as the secret', (alg) => {
  it('is refused when the public PEM is the HMAC secret', async () => {
    const keys = await keySetFor(alg);
    const pem = keys.active.publicKeyPem()!;
    const token = forge({ alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' }, accessPayload(), pem);
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('is refused when the public JWK JSON is the HMAC secret', async () => {
    const keys = await keySetFor(alg);
    const token = forge(
      { alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' },
      accessPayload(),
      JSON.stringify(keys.active.publicJwk()),
    );
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('is refused even when the caller allow-lists HS256 as well', async () => {
    const keys = await keySetFor(alg);
    const token = forge(
      { alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' },
      accessPayload(),
      keys.active.publicKeyPem()!,
    );
    await expect(
      verifyToken(keys, token, { ...verifyOptions, algorithms: ['HS256', alg] }),
    ).rejects.toMatchObject({ code: 'TOKEN_ALG_NOT_ALLOWED' });
  });
});

describe('alg swapping', () => {
  it('a valid token whose header alg is swapped to another asymmetric alg is refused', async () => {
    const keys = await keySetFor('EdDSA');
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    const [, p, s] = token.split('.');
    for (const alg of ['ES256', 'RS256', 'ML-DSA-65', 'HS256', 'ES384', 'PS256']) {
      const swapped = `${b64u({ alg, kid: keys.active.kid, typ: 'at+jwt' })}.${p}.${s}`;
      await expect(verifyToken(keys, swapped, verifyOptions)).rejects.toMatchObject({
        code: 'TOKEN_ALG_NOT_ALLOWED',
      });
    }
  });

  it('a token signed by another key type under the same kid is refused', async () => {
    const ed = await keyFor('EdDSA');
    const es = await generateSigningKey('ES256', { kid: ed.kid });
    const attacker = KeySet.create([es]);
    const { token } = await signAccessToken(attacker, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(verifyToken(KeySet.create([ed]), token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_ALG_NOT_ALLOWED',
    });
  });

  it('the allow-list can exclude the key’s own algorithm', async () => {
    const keys = await keySetFor('RS256');
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(verifyToken(keys, token, { ...verifyOptions, algorithms: ['EdDSA'] })).rejects.toMatchObject(
      {
        code: 'TOKEN_ALG_NOT_ALLOWED',
      },
    );
    await expect(
      verifyToken(keys, token, { ...verifyOptions, algorithms: ['EdDSA', 'RS256'] }),
    ).resolves.toBeTruthy();
  });

  it('an HS256 key set refuses a token MACed with a different secret', async () => {
    const keys = await keySetFor('HS256');
    const token = forge(
      { alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' },
      accessPayload(),
      'x'.repeat(32),
    );
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
      message: 'signature verification failed',
    });
  });
});

describe('a public key can never become an HMAC secret at import', () => {
  it.each(ASYMMETRIC)('importSigningKey refuses HS256 with a %s PEM', async (alg) => {
    const pem = (await keyFor(alg)).publicKeyPem()!;
    await expect(importSigningKey({ alg: 'HS256', publicKeyPem: pem })).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
    await expect(importSigningKey({ alg: 'HS256', privateKeyPem: pem })).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
  });

  it('importSigningKey refuses a public JWK imported as HS256', async () => {
    const jwk = (await keyFor('EdDSA')).publicJwk()!;
    await expect(importSigningKey({ alg: 'HS256', jwk: { ...jwk, alg: undefined } })).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
  });

  it('the forged MAC really is what a naive verifier would accept (the attack is real)', async () => {
    const keys = await keySetFor('RS256');
    const pem = keys.active.publicKeyPem()!;
    const token = forge({ alg: 'HS256', kid: keys.active.kid, typ: 'at+jwt' }, accessPayload(), pem);
    const [h, p, s] = token.split('.');
    expect(createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url')).toBe(s);
  });
});
