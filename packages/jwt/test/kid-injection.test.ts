/**
 * kid injection (RFC 8725 §3.10): the kid is attacker-controlled. It must only ever be a lookup
 * key in our own set — never a path, a query, a prototype key or a reason to trust an embedded key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../src/generate-signing-key.js';
import { KeySet } from '../src/key-set.js';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { accessPayload, b64u, forge, keySetFor, signOptions, verifyOptions } from './helpers.js';

describe('kid injection', () => {
  it.each([
    '../../../../dev/null',
    "' OR '1'='1",
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'x'.repeat(5000),
    '\u0000',
  ])('unknown kid %j is refused with TOKEN_KID_UNKNOWN', async (kid) => {
    const keys = await keySetFor('HS256');
    const token = forge({ alg: 'HS256', kid, typ: 'at+jwt' }, accessPayload(), '');
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
  });

  it.each([42, null, true, ['a'], { $ne: null }])('non-string kid %j is malformed', async (kid) => {
    const keys = await keySetFor('EdDSA');
    const token = forge({ alg: 'EdDSA', kid, typ: 'at+jwt' }, accessPayload(), undefined, 'AAAA');
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });

  it('a token without kid is refused', async () => {
    const keys = await keySetFor('EdDSA');
    const token = forge({ alg: 'EdDSA', typ: 'at+jwt' }, accessPayload(), undefined, 'AAAA');
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
  });

  it('an embedded attacker jwk header is ignored: its kid is unknown to us', async () => {
    const keys = await keySetFor('EdDSA');
    const attacker = KeySet.create([await generateSigningKey('EdDSA')]);
    const { token } = await signAccessToken(attacker, { sub: 'admin', deviceId: 'd' }, signOptions);
    const [h, p, s] = token.split('.');
    const header = {
      ...JSON.parse(Buffer.from(h!, 'base64url').toString()),
      jwk: attacker.active.publicJwk(),
    };
    const withJwk = `${b64u(header)}.${p}.${s}`;
    await expect(verifyToken(keys, withJwk, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
  });

  it('an embedded attacker jwk header naming our kid is ignored: our key checks the signature', async () => {
    const keys = await keySetFor('EdDSA');
    const attacker = KeySet.create([await generateSigningKey('EdDSA', { kid: keys.active.kid })]);
    const { token } = await signAccessToken(attacker, { sub: 'admin', deviceId: 'd' }, signOptions);
    const [h, p, s] = token.split('.');
    const { publicKey } = generateKeyPairSync('ed25519');
    const header = {
      ...JSON.parse(Buffer.from(h!, 'base64url').toString()),
      jwk: attacker.active.publicJwk(),
      jku: 'https://evil.example/jwks.json',
      x5c: [publicKey.export({ type: 'spki', format: 'der' }).toString('base64')],
    };
    await expect(verifyToken(keys, `${b64u(header)}.${p}.${s}`, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_SIGNATURE_INVALID',
    });
  });

  it('a retired kid is unknown', async () => {
    const first = await generateSigningKey('EdDSA');
    const keys = KeySet.create([first]);
    const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
    keys.rotate(await generateSigningKey('EdDSA'));
    keys.retire(first.kid);
    await expect(verifyToken(keys, token, verifyOptions)).rejects.toMatchObject({
      code: 'TOKEN_KID_UNKNOWN',
    });
  });

  it('KeySet.get never resolves prototype members', async () => {
    const keys = await keySetFor('EdDSA');
    for (const kid of ['__proto__', 'constructor', 'toString']) expect(keys.get(kid)).toBeUndefined();
    expect(keys.get(42 as unknown as string)).toBeUndefined();
  });
});
