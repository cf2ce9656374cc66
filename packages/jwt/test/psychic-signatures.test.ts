/**
 * ECDSA "psychic signatures" (CVE-2022-21449: r = s = 0 accepted) and related ES256 signature forms:
 * RFC 7518 §3.4 allows only the 64-octet r||s form with 0 < r, s < n. Checked against OpenSSL's own
 * verification of the same bytes as an independent oracle where one applies.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/sign-access-token.js';
import { verifyToken } from '../src/verify-token.js';
import { keySetFor, signOptions, verifyOptions } from './helpers.js';

/** Order n of the P-256 group (SEC 2 §2.4.2). */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

async function es256Token() {
  const keys = await keySetFor('ES256');
  const { token } = await signAccessToken(keys, { sub: 'u', deviceId: 'd' }, signOptions);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { keys, token, input: `${header}.${payload}`, signature: Buffer.from(signature, 'base64url') };
}

const refused = { code: 'TOKEN_SIGNATURE_INVALID', message: 'signature verification failed' };

describe('ES256 signature forms', () => {
  it('a signed token verifies, and OpenSSL agrees the signature is r||s over the signing input', async () => {
    const { keys, token, input, signature } = await es256Token();
    await expect(verifyToken(keys, token, verifyOptions)).resolves.toBeDefined();
    const publicKey = createPublicKey(keys.active.publicKeyPem()!);
    expect(
      nodeVerify('sha256', Buffer.from(input), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    ).toBe(true);
  });

  it.each([
    ['r = s = 0', Buffer.alloc(64)],
    ['r = s = n', Buffer.concat([P256_ORDER, P256_ORDER])],
    ['r = 0, s = 1', Buffer.concat([Buffer.alloc(32), Buffer.alloc(31), Buffer.from([1])])],
  ])('a psychic signature (%s) is refused', async (_name, forged) => {
    const { keys, input } = await es256Token();
    await expect(
      verifyToken(keys, `${input}.${forged.toString('base64url')}`, verifyOptions),
    ).rejects.toMatchObject(refused);
  });

  it('the DER (X9.62) form of a valid signature is refused', async () => {
    const { keys, input, signature } = await es256Token();
    const integer = (bytes: Buffer) => {
      let v = bytes;
      while (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) v = v.subarray(1);
      if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
      return Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const body = Buffer.concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    await expect(
      verifyToken(keys, `${input}.${der.toString('base64url')}`, verifyOptions),
    ).rejects.toMatchObject(refused);
  });

  it('a valid signature moved onto another signing input is refused', async () => {
    const first = await es256Token();
    const second = await es256Token();
    expect(second.input).not.toBe(first.input);
    const moved = `${second.input}.${first.signature.toString('base64url')}`;
    await expect(verifyToken(first.keys, moved, verifyOptions)).rejects.toMatchObject(refused);
  });
});
