/**
 * Attack: refreshing with a refresh token stolen from storage or a log, without the device key.
 * A refresh proves possession of the session device's key (a signature over a fresh, single-use
 * refresh challenge, or that device's certificate over mTLS). Without that proof every token —
 * live, just rotated (inside the grace window), revoked or garbage — gets the same TOKEN_INVALID,
 * nothing changes (no rotation, no grace pair, no revocation), and only the real device gets the
 * grace window's retry answer.
 */
import { generateKeyPair, signChallenge } from '@city/client-cert';
import { describe, expect, it } from 'vitest';
import type { AuthService } from '../src/auth-service.js';
import {
  expectAuthError,
  type Harness,
  PASSWORD,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

/** A refresh signed with a key the server never certified (what a thief can produce). */
async function refreshWithStrangerKey(auth: AuthService, refreshToken: string): Promise<unknown> {
  const stranger = await generateKeyPair('ed25519');
  return refreshWithProof(auth, refreshToken, stranger.privateKeyPem);
}

/** The answer a call gets, as code + message (identical answers look identical here). */
async function answer(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  return { code: 'OK', message: '' };
}

async function secondDevice(h: Harness, user: Awaited<ReturnType<typeof signedInUser>>) {
  const pairing = await h.auth.requestPairingToken(user.principal);
  return h.auth.registerDeviceWithPairingToken({
    pairing_token: pairing.token,
    username: user.reg.username,
    password: PASSWORD,
    key_algorithm: 'ed25519',
  });
}

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);

      it('stolen-refresh-token-without-proof: no proof fields is a validation error, whatever the token', async () => {
        const h = engine.harness();
        const { login } = await signedInUser(h.auth);
        const stolen = await answer(h.auth.refresh({ refresh_token: login.refreshToken }));
        const garbage = await answer(h.auth.refresh({ refresh_token: 'a.b.c' }));
        expect(stolen.code).toBe('VALIDATION_FAILED');
        expect(stolen).toEqual(garbage);
        expect(await h.stores.refreshTokens.get(login.sessionId)).toMatchObject({
          status: 'active',
          generation: 0,
        });
      });

      it('stolen-refresh-token-with-a-stranger-key: the same TOKEN_INVALID as garbage, the session unchanged', async () => {
        const h = engine.harness();
        const { reg, login } = await signedInUser(h.auth);
        const stolen = await answer(refreshWithStrangerKey(h.auth, login.refreshToken));
        const garbage = await answer(refreshWithStrangerKey(h.auth, 'a.b.c'));
        expect(stolen).toEqual({ code: 'TOKEN_INVALID', message: garbage.message });
        expect(garbage.code).toBe('TOKEN_INVALID');
        expect(await h.stores.refreshTokens.get(login.sessionId)).toMatchObject({
          status: 'active',
          generation: 0,
        });
        const alerts = (await h.stores.audit.list({ userUuid: reg.uuid, limit: 50 })).items.filter(
          (e) => e.type === 'security_alert' && e.reason === 'refresh_proof_invalid',
        );
        expect(alerts).toHaveLength(1);
        // The real device still refreshes.
        const next = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
        expect(next.sessionId).toBe(login.sessionId);
      });

      it("stolen-refresh-token-inside-grace-window: without or with another device's proof refused, the real device gets the pair", async () => {
        const h = engine.harness({ refreshGraceSeconds: 10 });
        const user = await signedInUser(h.auth);
        const other = await secondDevice(h, user);
        const first = await refreshWithProof(h.auth, user.login.refreshToken, user.reg.privateKeyPem);
        h.clock.advance(2);
        await expectAuthError(
          h.auth.refresh({ refresh_token: user.login.refreshToken }),
          'VALIDATION_FAILED',
        );
        await expectAuthError(refreshWithStrangerKey(h.auth, user.login.refreshToken), 'TOKEN_INVALID');
        // Another device of the same user has a certified key, but not this session's.
        await expectAuthError(
          refreshWithProof(h.auth, user.login.refreshToken, other.privateKeyPem as string),
          'TOKEN_INVALID',
        );
        // None of that touched the session: the real device, still inside the window, gets the pair.
        expect(await h.stores.refreshTokens.get(user.login.sessionId)).toMatchObject({
          status: 'active',
          generation: 1,
        });
        expect(await refreshWithProof(h.auth, user.login.refreshToken, user.reg.privateKeyPem)).toEqual(
          first,
        );
      });

      it('stolen-revoked-refresh-token: the state of a session is told only to its device', async () => {
        const h = engine.harness();
        const { reg, login, principal } = await signedInUser(h.auth);
        await h.auth.logout(principal);
        await expectAuthError(refreshWithStrangerKey(h.auth, login.refreshToken), 'TOKEN_INVALID');
        await expectAuthError(
          refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
          'TOKEN_REVOKED',
        );
      });

      it('login-signature-replayed-as-refresh-proof: a signature over a login challenge does not prove a refresh', async () => {
        const h = engine.harness();
        const { reg, login } = await signedInUser(h.auth);
        const challenge = await h.auth.createLoginChallenge();
        await expectAuthError(
          h.auth.refresh({
            refresh_token: login.refreshToken,
            challenge_id: challenge.challengeId,
            signature: signChallenge(reg.privateKeyPem, challenge.challenge),
          }),
          'TOKEN_INVALID',
        );
        const refreshChallenge = await h.auth.createRefreshChallenge();
        expect(refreshChallenge.challenge).toMatch(/^city-auth-refresh:v1:city-test:/);
        expect(challenge.challenge).toMatch(/^city-auth-login:v1:city-test:/);
      });

      it('refresh-proof-replay: a refresh challenge answers once', async () => {
        const h = engine.harness();
        const { reg, login } = await signedInUser(h.auth);
        const challenge = await h.auth.createRefreshChallenge();
        const body = {
          refresh_token: login.refreshToken,
          challenge_id: challenge.challengeId,
          signature: signChallenge(reg.privateKeyPem, challenge.challenge),
        };
        const next = await h.auth.refresh(body);
        await expectAuthError(
          h.auth.refresh({ ...body, refresh_token: next.refreshToken }),
          'CHALLENGE_INVALID',
        );
        h.clock.advance(121);
        const late = await h.auth.createRefreshChallenge();
        h.clock.advance(121);
        await expectAuthError(
          h.auth.refresh({
            refresh_token: next.refreshToken,
            challenge_id: late.challengeId,
            signature: signChallenge(reg.privateKeyPem, late.challenge),
          }),
          'CHALLENGE_INVALID',
        );
      });

      it('mTLS: the session device certificate over TLS is the proof; another certificate is not', async () => {
        const h = engine.harness();
        const user = await signedInUser(h.auth);
        const other = await secondDevice(h, user);
        await expectAuthError(
          h.auth.refresh(
            { refresh_token: user.login.refreshToken },
            { peerCertificatePem: other.certificatePem },
          ),
          'TOKEN_INVALID',
        );
        const next = await h.auth.refresh(
          { refresh_token: user.login.refreshToken },
          { peerCertificatePem: user.reg.certificatePem },
        );
        expect(next.sessionId).toBe(user.login.sessionId);
        // With mTLS turned off, a certificate proves nothing and the signature fields are required.
        const strict = engine.harness({ proofModes: { mtls: false } });
        await expectAuthError(
          strict.auth.refresh(
            { refresh_token: next.refreshToken },
            { peerCertificatePem: user.reg.certificatePem },
          ),
          'VALIDATION_FAILED',
        );
      });
    },
  );
}
