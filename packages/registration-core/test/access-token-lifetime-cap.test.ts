/**
 * Attack: a validly signed token with a lifetime the service never issues (a 10-year `exp`, from
 * leaked signing access or a misconfigured issuer). The service caps access tokens at its
 * configured `accessTokenTtlSeconds` and refresh tokens at `refreshTokenTtlSeconds` (plus the
 * clock tolerance), so such a token is refused although its signature, session and user are valid.
 * The long-lived tokens are signed by hand with node:crypto (our own signer refuses such a TTL).
 */
import { createPrivateKey, sign } from 'node:crypto';
import { type KeySet, signAccessToken } from '@city/jwt';
import { describe, expect, it } from 'vitest';
import { expectAuthError, refreshWithProof, signedInUser, useEngine } from './support/auth-harness.js';
import { memoryEngine } from './support/store-engines.js';

const TEN_YEARS = 10 * 365 * 24 * 3600;

/** A compact JWS (EdDSA) signed with the service's own key, outside @city/jwt. */
function handSigned(keys: KeySet, typ: 'at+jwt' | 'rt+jwt', payload: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: 'EdDSA', kid: keys.active.kid, typ })}.${b64(payload)}`;
  const key = createPrivateKey({ key: keys.active.exportPrivate().jwk as never, format: 'jwk' });
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

describe('token lifetime cap', () => {
  const engine = useEngine(memoryEngine);

  it('a-ten-year-access-token: validly signed for a live session, refused; the same claims at the configured TTL pass', async () => {
    const h = engine.harness({ accessTokenTtlSeconds: 900 });
    const { login, principal } = await signedInUser(h.auth);
    const iat = Math.floor(h.clock.now() / 1000);
    const access = (lifetime: number) =>
      handSigned(h.crypto.keys, 'at+jwt', {
        typ: 'access',
        iss: 'https://auth.test.city',
        aud: 'city-test',
        sub: principal.userUuid,
        deviceId: principal.deviceId,
        roles: ['user'],
        sid: login.sessionId,
        jti: `hand-${lifetime}`,
        iat,
        exp: iat + lifetime,
      });
    await expectAuthError(h.auth.authenticate(access(TEN_YEARS)), 'TOKEN_INVALID');
    await expectAuthError(h.auth.authenticate(access(901)), 'TOKEN_INVALID');
    // The same hand-made token at the configured TTL passes: the refusals above are the cap's.
    expect((await h.auth.authenticate(access(900))).userUuid).toBe(principal.userUuid);
    // And so does one from our own signer.
    const ours = await signAccessToken(
      h.crypto.keys,
      { sub: principal.userUuid, deviceId: principal.deviceId, sid: login.sessionId },
      {
        issuer: 'https://auth.test.city',
        audience: 'city-test',
        now: new Date(h.clock.now()),
        ttlSeconds: 900,
      },
    );
    expect((await h.auth.authenticate(ours.token)).sessionId).toBe(login.sessionId);
  });

  it('a-ten-year-refresh-token: a refresh token longer than the session lifetime is refused', async () => {
    const h = engine.harness({ refreshTokenTtlSeconds: 3600 });
    const { reg, login, principal } = await signedInUser(h.auth);
    const iat = Math.floor(h.clock.now() / 1000);
    const forever = handSigned(h.crypto.keys, 'rt+jwt', {
      typ: 'refresh',
      iss: 'https://auth.test.city',
      aud: 'city-test',
      sub: principal.userUuid,
      deviceId: principal.deviceId,
      familyId: login.sessionId,
      generation: 0,
      jti: 'hand-refresh',
      iat,
      exp: iat + TEN_YEARS,
    });
    // Signed by the device's own key: the refusal is the cap's, not a missing proof of possession.
    await expectAuthError(refreshWithProof(h.auth, forever, reg.privateKeyPem), 'TOKEN_INVALID');
  });
});
