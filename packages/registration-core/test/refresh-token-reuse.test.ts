/**
 * Attack: replaying a stolen, already-rotated refresh token (RFC 9700 §4.14.2). Reuse revokes the
 * whole family and every access token of it, is audited and raises an alert; the grace window lets
 * the same device (proving possession of its key) retry within `refreshGraceSeconds` and get the
 * same pair back. Every refresh here carries the device's proof, as the real client's does.
 * Runs on dynalite + s3rver (the real DynamoDB adapter's conditional rotate).
 */
import { signRefreshToken } from '@city/jwt';
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  type Harness,
  loginWithSignature,
  refreshWithProof,
  registerWithServerKey,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

async function session(h: Harness) {
  const reg = await registerWithServerKey(h.auth);
  const login = await loginWithSignature(h.auth, {
    identifier: reg.uuid,
    deviceId: reg.deviceId,
    privateKeyPem: reg.privateKeyPem,
  });
  return { reg, login };
}

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('refresh token reuse', () => {
        it('grace 0: the rotated token presented again revokes the family, its access token, audits and alerts', async () => {
          const h = engine.harness({ refreshGraceSeconds: 0 });
          const { reg, login } = await session(h);
          const next = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
          expect(next.sessionId).toBe(login.sessionId);
          await expectAuthError(
            refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
            'REFRESH_TOKEN_REUSED',
          );
          await expectAuthError(
            refreshWithProof(h.auth, next.refreshToken, reg.privateKeyPem),
            'TOKEN_REVOKED',
          );
          await expectAuthError(h.auth.authenticate(next.accessToken), 'TOKEN_REVOKED');
          const family = await h.stores.refreshTokens.get(login.sessionId);
          expect(family).toMatchObject({ status: 'revoked', revokedReason: 'reuse' });
          const events = (await h.stores.audit.list({ userUuid: reg.uuid, limit: 50 })).items;
          expect(events.filter((e) => e.type === 'token_reuse')).toHaveLength(1);
          expect(events.some((e) => e.type === 'security_alert' && e.reason === 'refresh_token_reuse')).toBe(
            true,
          );
        });

        it('grace window: the same device retrying inside the window gets the same pair; outside it, the family dies', async () => {
          const h = engine.harness({ refreshGraceSeconds: 10 });
          const { reg, login } = await session(h);
          const first = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
          h.clock.advance(5);
          expect(await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem)).toEqual(first);
          h.clock.advance(5); // exactly at graceUntil: still inside (inclusive)
          expect(await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem)).toEqual(first);
          // The successor itself still rotates normally.
          const second = await refreshWithProof(h.auth, first.refreshToken, reg.privateKeyPem);
          expect(second.refreshToken).not.toBe(first.refreshToken);
          h.clock.advance(11);
          await expectAuthError(
            refreshWithProof(h.auth, first.refreshToken, reg.privateKeyPem),
            'REFRESH_TOKEN_REUSED',
          );
          await expectAuthError(
            refreshWithProof(h.auth, second.refreshToken, reg.privateKeyPem),
            'TOKEN_REVOKED',
          );
        });

        it('grace window: a token two generations old is reuse even inside the window', async () => {
          const h = engine.harness({ refreshGraceSeconds: 10 });
          const { reg, login } = await session(h);
          const first = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
          await refreshWithProof(h.auth, first.refreshToken, reg.privateKeyPem);
          await expectAuthError(
            refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
            'REFRESH_TOKEN_REUSED',
          );
        });

        it('grace window: the previous generation presented for another device is reuse', async () => {
          const h = engine.harness({ refreshGraceSeconds: 10 });
          const { reg, login } = await session(h);
          await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
          // A token of the same family and previous generation but naming another device (as a stolen
          // token replayed through another device's client would be re-bound by a proxy or bug).
          const forged = await signRefreshToken(
            h.crypto.keys,
            { sub: reg.uuid, deviceId: 'another-device', familyId: login.sessionId, generation: 0 },
            { issuer: 'https://auth.test.city', audience: 'city-test', now: new Date(h.clock.now()) },
          );
          await expectAuthError(
            refreshWithProof(h.auth, forged.token, reg.privateKeyPem),
            'REFRESH_TOKEN_REUSED',
          );
          expect((await h.stores.refreshTokens.get(login.sessionId))?.status).toBe('revoked');
        });

        it('concurrent refreshes with grace 0: exactly one rotates, the family ends revoked', async () => {
          const h = engine.harness({ refreshGraceSeconds: 0 });
          const { reg, login } = await session(h);
          const results = await Promise.allSettled(
            Array.from({ length: 20 }, () => refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem)),
          );
          const ok = results.filter((r) => r.status === 'fulfilled');
          expect(ok).toHaveLength(1);
          const codes = results.flatMap((r) =>
            r.status === 'rejected' ? [(r.reason as { code: string }).code] : [],
          );
          // The first loser detects the reuse and revokes; later losers find the family already revoked.
          expect(codes).toContain('REFRESH_TOKEN_REUSED');
          for (const code of codes) expect(['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED']).toContain(code);
          expect((await h.stores.refreshTokens.get(login.sessionId))?.status).toBe('revoked');
        });

        it('concurrent refreshes with grace: one rotation, every caller gets the same pair, the session lives', async () => {
          const h = engine.harness({ refreshGraceSeconds: 10 });
          const { reg, login } = await session(h);
          const results = await Promise.all(
            Array.from({ length: 20 }, () => refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem)),
          );
          expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
          const family = await h.stores.refreshTokens.get(login.sessionId);
          expect(family).toMatchObject({ status: 'active', generation: 1 });
          expect(family?.graceSealed).not.toContain(results[0]?.refreshToken.split('.')[1] ?? '@');
        });

        it('refuses access tokens, garbage and tokens of another issuer as refresh tokens', async () => {
          const h = engine.harness();
          const { reg, login } = await session(h);
          await expectAuthError(
            refreshWithProof(h.auth, login.accessToken, reg.privateKeyPem),
            'TOKEN_INVALID',
          );
          await expectAuthError(refreshWithProof(h.auth, 'a.b.c', reg.privateKeyPem), 'TOKEN_INVALID');
          await expectAuthError(h.auth.refresh({ refresh_token: { $gt: '' } }), 'VALIDATION_FAILED');
          await expectAuthError(h.auth.refresh({}), 'VALIDATION_FAILED');
          const other = engine.harness({ issuer: 'https://evil.example' });
          await expectAuthError(
            refreshWithProof(other.auth, login.refreshToken, reg.privateKeyPem),
            'TOKEN_INVALID',
          );
          h.clock.advance(31 * 24 * 3600);
          await expectAuthError(
            refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
            'TOKEN_EXPIRED',
          );
        });
      });
    },
  );
}
