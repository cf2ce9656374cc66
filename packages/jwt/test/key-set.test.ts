/** Key sets: rotation, retirement, JWKS (public only), persistence and PEM/JWK import. */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/generate-signing-key.js';
import { importSigningKey } from '../src/import-signing-key.js';
import { KeySet } from '../src/key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { ALGORITHMS, keyFor, signOptions, verifyOptions } from './helpers.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'oth'];

describe('rotation', () => {
  it('new tokens use the new key, old tokens verify until the old key is retired', async () => {
    const oldKey = await generateSigningKey('EdDSA');
    const keys = KeySet.create([oldKey]);
    const before = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    const newKey = await generateSigningKey('ML-DSA-65');
    keys.rotate(newKey);
    expect(keys.active.kid).toBe(newKey.kid);
    const after = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    expect(JSON.parse(Buffer.from(after.token.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'ML-DSA-65',
      kid: newKey.kid,
    });
    await expect(verifyToken(keys, before.token, verifyOptions)).resolves.toBeTruthy();
    await expect(verifyToken(keys, after.token, verifyOptions)).resolves.toBeTruthy();
    expect(keys.toJWKS().keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid]);
    keys.retire(oldKey.kid);
    await expect(verifyToken(keys, before.token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
    await expect(verifyToken(keys, after.token, verifyOptions)).resolves.toBeTruthy();
  });

  it('refuses to retire the active key or an unknown kid, and duplicate kids', async () => {
    const key = await keyFor('EdDSA');
    const keys = KeySet.create([key]);
    expect(() => keys.retire(key.kid)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => keys.retire('nope')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => keys.add(key)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => KeySet.create([key, key])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('add() without activate keeps the signer; activating a verify-only key is refused', async () => {
    const signer = await keyFor('EdDSA');
    const keys = KeySet.create([signer]);
    const other = await keyFor('ES256');
    keys.add(other);
    expect(keys.active.kid).toBe(signer.kid);
    const verifyOnly = await importSigningKey({
      alg: 'RS256',
      publicKeyPem: (await keyFor('RS256')).publicKeyPem()!,
    });
    expect(() => keys.add(verifyOnly, { activate: true })).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
    expect(() => KeySet.create([verifyOnly], verifyOnly.kid)).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
    expect(() => KeySet.create([verifyOnly]).active).toThrow(
      expect.objectContaining({ code: 'KEY_INVALID' }),
    );
  });

  it('create() refuses empty lists, foreign objects and unknown active kids', async () => {
    const key = await keyFor('EdDSA');
    expect(() => KeySet.create([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const fake = { kid: 'x', alg: 'EdDSA', canSign: true, publicJwk: () => undefined } as never;
    expect(() => KeySet.create([fake])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => KeySet.create([{ ...key }])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => KeySet.create([key], 'missing')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('JWKS', () => {
  it('contains every asymmetric key with public members only, and never an HS256 secret', async () => {
    const all = await Promise.all(ALGORITHMS.map((alg) => keyFor(alg)));
    const keys = KeySet.create(all);
    const jwks = keys.toJWKS();
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'ML-DSA-65', 'RS256']);
    for (const jwk of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      expect(jwk.use).toBe('sig');
      expect(typeof jwk.kid).toBe('string');
    }
    const text = JSON.stringify(jwks);
    const hs = all.find((k) => k.alg === 'HS256')!;
    expect(text).not.toContain(hs.exportPrivate().jwk.k as string);
    expect(text).not.toContain(hs.kid);
  });

  it('keys never leak secrets through JSON.stringify or util.inspect', async () => {
    for (const alg of ALGORITHMS) {
      const key = await keyFor(alg);
      const secretMember = alg === 'HS256' ? 'k' : alg === 'ML-DSA-65' ? 'priv' : 'd';
      const secret = key.exportPrivate().jwk[secretMember] as string;
      expect(secret.length).toBeGreaterThan(20);
      expect(JSON.stringify(key)).not.toContain(secret);
      expect(inspect(key, { depth: 10, showHidden: true })).not.toContain(secret);
    }
  });
});

describe('persistence', () => {
  it('toJSON/fromJSON round-trips every algorithm and the active kid', async () => {
    const all = await Promise.all(ALGORITHMS.map((alg) => keyFor(alg)));
    const keys = KeySet.create(all, all[2]!.kid);
    const tokens = await Promise.all(
      all.map((k) =>
        signAccessToken(KeySet.create([k]), { sub: 'u', deviceId: 'd' }, signOptions).then((t) => t.token),
      ),
    );
    const restored = KeySet.fromJSON(JSON.stringify(keys.toJSON()));
    expect(restored.active.kid).toBe(all[2]!.kid);
    expect(
      restored
        .list()
        .map((k) => k.kid)
        .sort(),
    ).toEqual(all.map((k) => k.kid).sort());
    for (const token of tokens)
      await expect(verifyToken(restored, token, verifyOptions)).resolves.toBeTruthy();
    const fresh = await signAccessToken(restored, { sub: 'u', deviceId: 'd' }, signOptions);
    await expect(verifyToken(keys, fresh.token, verifyOptions)).resolves.toBeTruthy();
  });

  it.each([
    ['not JSON', '{'],
    ['wrong version', { version: 2, keys: [] }],
    ['keys not an array', { version: 1, keys: {} }],
    ['null', null],
  ])('fromJSON refuses %s', (_name, json) => {
    expect(() => KeySet.fromJSON(json as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('fromJSON refuses a tampered key', async () => {
    const json = KeySet.create([await keyFor('EdDSA')]).toJSON();
    json.keys[0]!.jwk.x = 'AAAA';
    expect(() => KeySet.fromJSON(json)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});

describe('importSigningKey', () => {
  it.each(['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'] as const)(
    '%s from PKCS#8 PEM, SPKI PEM and JWK',
    async (alg) => {
      const original = await keyFor(alg);
      const pkcs8 = (await import('node:crypto'))
        .createPrivateKey({ key: original.exportPrivate().jwk as never, format: 'jwk' })
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const fromPem = await importSigningKey({ alg, privateKeyPem: pkcs8 });
      expect(fromPem.kid).toBe(original.kid);
      expect(fromPem.canSign).toBe(true);
      const both = await importSigningKey({
        alg,
        privateKeyPem: pkcs8,
        publicKeyPem: original.publicKeyPem()!,
      });
      expect(both.kid).toBe(original.kid);
      const pub = await importSigningKey({ alg, publicKeyPem: original.publicKeyPem()! });
      expect(pub.canSign).toBe(false);
      expect(pub.kid).toBe(original.kid);
      const jwk = await importSigningKey({ alg, jwk: original.publicJwk()! });
      expect(jwk.kid).toBe(original.kid);
      const token = await signAccessToken(KeySet.create([fromPem]), { sub: 'u', deviceId: 'd' }, signOptions);
      await expect(verifyToken(KeySet.create([jwk]), token.token, verifyOptions)).resolves.toBeTruthy();
    },
  );

  it('HS256 from a raw secret and an oct JWK; kid is random, not a hash of the secret', async () => {
    const secret = randomBytes(32);
    const a = await importSigningKey({ alg: 'HS256', secret });
    const b = await importSigningKey({ alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } });
    expect(a.kid).not.toBe(b.kid);
    expect(a.publicJwk()).toBeUndefined();
    expect(a.publicKeyPem()).toBeUndefined();
    const token = await signAccessToken(KeySet.create([a]), { sub: 'u', deviceId: 'd' }, signOptions);
    const sameSecret = await importSigningKey({ alg: 'HS256', secret, kid: a.kid });
    await expect(verifyToken(KeySet.create([sameSecret]), token.token, verifyOptions)).resolves.toBeTruthy();
  });

  it('exportPrivate() of a verify-only key carries no private members', async () => {
    const pub = await importSigningKey({
      alg: 'ES256',
      publicKeyPem: (await keyFor('ES256')).publicKeyPem()!,
    });
    for (const member of PRIVATE_MEMBERS) expect(pub.exportPrivate().jwk).not.toHaveProperty(member);
  });

  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ed448 = generateKeyPairSync('ed448');
  const mldsa44 = generateKeyPairSync('ml-dsa-44' as 'ed25519');
  const pem = (k: { privateKey: KeyObject }) =>
    k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it.each([
    ['RS256 with a 1024-bit key', { alg: 'RS256', privateKeyPem: pem(rsa1024) }],
    ['ES256 with a P-384 key', { alg: 'ES256', privateKeyPem: pem(p384) }],
    ['EdDSA with an Ed448 key', { alg: 'EdDSA', privateKeyPem: pem(ed448) }],
    ['ML-DSA-65 with an ML-DSA-44 key', { alg: 'ML-DSA-65', privateKeyPem: pem(mldsa44) }],
    ['EdDSA with an RSA key', { alg: 'EdDSA', privateKeyPem: pem(rsa1024) }],
    ['HS256 with a 31-byte secret', { alg: 'HS256', secret: new Uint8Array(31) }],
    ['HS256 with a short oct JWK', { alg: 'HS256', jwk: { kty: 'oct', k: 'AAAA' } }],
    ['EdDSA with a secret', { alg: 'EdDSA', secret: new Uint8Array(32) }],
    [
      'garbage PEM',
      { alg: 'EdDSA', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' },
    ],
    ['private key as publicKeyPem', { alg: 'EdDSA', publicKeyPem: pem(ed448) }],
    ['JWK of the wrong kty', { alg: 'ES256', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } }],
    ['JWK alg mismatch', { alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA', alg: 'ES256' } }],
    ['JWK use enc', { alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA', use: 'enc' } }],
    ['malformed JWK', { alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: '!!' } }],
  ])('refuses %s with KEY_INVALID', async (_name, input) => {
    await expect(importSigningKey(input as never)).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });

  it('refuses a public key that does not belong to the private key', async () => {
    const a = await keyFor('EdDSA');
    const b = await generateSigningKey('EdDSA');
    const pkcs8 = (await import('node:crypto'))
      .createPrivateKey({ key: a.exportPrivate().jwk as never, format: 'jwk' })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await expect(
      importSigningKey({ alg: 'EdDSA', privateKeyPem: pkcs8, publicKeyPem: b.publicKeyPem()! }),
    ).rejects.toMatchObject({
      code: 'KEY_INVALID',
      message: 'the public key does not belong to the private key',
    });
  });

  it.each([
    ['unknown alg', { alg: 'none', secret: new Uint8Array(32) }],
    ['no key material', { alg: 'EdDSA' }],
    ['HS256 without secret', { alg: 'HS256' }],
    ['secret not bytes', { alg: 'HS256', secret: 'x'.repeat(40) }],
    ['PEM not a string', { alg: 'EdDSA', privateKeyPem: 42 }],
    ['kid with spaces', { alg: 'HS256', secret: new Uint8Array(32), kid: 'a b' }],
    ['kid too long', { alg: 'HS256', secret: new Uint8Array(32), kid: 'x'.repeat(129) }],
    ['null input', null],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, input) => {
    await expect(importSigningKey(input as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it.each([
    ['unknown alg', 'HS512', {}],
    ['bad kid', 'EdDSA', { kid: '' }],
    ['small RSA modulus', 'RS256', { modulusLength: 1024 }],
  ])('generateSigningKey refuses %s', async (_name, alg, options) => {
    await expect(generateSigningKey(alg as never, options)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('generateSigningKey makes a 3072-bit RSA key by default', async () => {
    const key = await generateSigningKey('RS256');
    const n = Buffer.from(key.publicJwk()!.n!, 'base64url');
    expect(n.length * 8).toBe(3072);
  });
});
