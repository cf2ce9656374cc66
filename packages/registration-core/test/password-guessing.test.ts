/**
 * Attacks on the password-guessing limits and on the answers of credential-bearing calls:
 * - guessing under several names of one account (username, email, uuid) to get more tries;
 * - locking an account's owner out by guessing as a stranger;
 * - sending many guesses at once so that all are verified before any lock lands;
 * - pairing redemption as a password oracle (a right password with a bad token answering
 *   differently from a wrong password);
 * - telling failure paths apart by the work they do (a right password with a bad device proof,
 *   a wrong password, an unknown user): every path verifies one password (or the dummy), one
 *   certificate and one signature, counted here through wrappers of the crypto primitives, not
 *   timed (timing is measured in bench/).
 */
import { randomBytes } from 'node:crypto';
import type * as ClientCert from '@city/client-cert';
import type * as Password from '@city/password';
import { describe, expect, it, vi } from 'vitest';
import type { AuthError } from '../src/auth-error.js';
import {
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  registerWithServerKey,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

const work = vi.hoisted(() => ({ passwords: 0, certificates: 0, signatures: 0 }));

vi.mock('@city/password', async (importOriginal) => {
  const original = await importOriginal<typeof Password>();
  return {
    ...original,
    verifyPassword: (...args: Parameters<typeof original.verifyPassword>) => {
      work.passwords += 1;
      return original.verifyPassword(...args);
    },
    verifyDummyPassword: (...args: Parameters<typeof original.verifyDummyPassword>) => {
      work.passwords += 1;
      return original.verifyDummyPassword(...args);
    },
  };
});

vi.mock('@city/client-cert', async (importOriginal) => {
  const original = await importOriginal<typeof ClientCert>();
  return {
    ...original,
    verifyClientCertificate: (...args: Parameters<typeof original.verifyClientCertificate>) => {
      work.certificates += 1;
      return original.verifyClientCertificate(...args);
    },
    verifyChallengeSignature: (...args: Parameters<typeof original.verifyChallengeSignature>) => {
      work.signatures += 1;
      return original.verifyChallengeSignature(...args);
    },
  };
});

/** What `attempt` verified: passwords (real or dummy), certificates, challenge signatures. */
async function workOf(attempt: () => Promise<unknown>): Promise<typeof work> {
  work.passwords = 0;
  work.certificates = 0;
  work.signatures = 0;
  await attempt();
  return { ...work };
}

function shape(e: AuthError) {
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    fields: e.fields,
    retryAfterSeconds: e.retryAfterSeconds,
  };
}

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);

      it('lockout-shared-across-identifiers: username, email and uuid draw on one budget', async () => {
        const h = engine.harness({ lockout: { accountFreeAttempts: 3, baseLockSeconds: 30 } });
        const reg = await registerWithServerKey(h.auth);
        const stranger = await registerWithServerKey(h.auth);
        const email = `${reg.username}@example.com`;
        const guess = (identifier: string, password = 'wrong wrong wrong') =>
          loginWithSignature(h.auth, {
            identifier,
            password,
            deviceId: stranger.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          });
        const codes: string[] = [];
        for (const identifier of [reg.username, email, reg.uuid, reg.username.toUpperCase(), email]) {
          codes.push(
            await guess(identifier).then(
              () => 'OK',
              (error: AuthError) => error.code,
            ),
          );
        }
        // 3 free guesses + the one that locks, whatever name each used; then the account is locked.
        expect(codes).toEqual([
          'INVALID_CREDENTIALS',
          'INVALID_CREDENTIALS',
          'INVALID_CREDENTIALS',
          'INVALID_CREDENTIALS',
          'ACCOUNT_LOCKED',
        ]);
        for (const identifier of [reg.username, email, reg.uuid]) {
          await expectAuthError(guess(identifier, PASSWORD), 'ACCOUNT_LOCKED');
        }
        // Another account is untouched.
        await expectAuthError(guess(stranger.username), 'INVALID_CREDENTIALS');
      });

      it('stranger-cannot-lock-out-device-owner: guesses without the device key leave the owner in', async () => {
        const h = engine.harness({ lockout: { accountFreeAttempts: 2, baseLockSeconds: 300 } });
        const reg = await registerWithServerKey(h.auth);
        const stranger = await registerWithServerKey(h.auth);
        for (let i = 0; i < 6; i += 1) {
          await loginWithSignature(h.auth, {
            identifier: reg.username,
            password: `guess ${i}`,
            deviceId: stranger.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          }).catch(() => undefined);
        }
        // The stranger is locked out, even with the right password (it lacks the device key) ...
        await expectAuthError(
          loginWithSignature(h.auth, {
            identifier: reg.username,
            deviceId: stranger.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          }),
          'ACCOUNT_LOCKED',
        );
        // ... the owner, proving its device key, is not: a typo, then the right password.
        await expectAuthError(
          loginWithSignature(h.auth, {
            identifier: reg.username,
            password: 'owner typo',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          }),
          'INVALID_CREDENTIALS',
        );
        const session = await loginWithSignature(h.auth, {
          identifier: reg.username,
          deviceId: reg.deviceId,
          privateKeyPem: reg.privateKeyPem,
        });
        expect(session.user.uuid).toBe(reg.uuid);
        // The owner's success does not hand the stranger fresh guesses.
        await expectAuthError(
          loginWithSignature(h.auth, {
            identifier: reg.uuid,
            password: 'guess 7',
            deviceId: stranger.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          }),
          'ACCOUNT_LOCKED',
        );
      });

      it('parallel-guesses-bypass-lockout: 24 guesses at once, at most free + 1 verified', async () => {
        const free = 4;
        const h = engine.harness({ lockout: { accountFreeAttempts: free, baseLockSeconds: 60 } });
        const reg = await registerWithServerKey(h.auth);
        const stranger = await registerWithServerKey(h.auth);
        const challenges = await Promise.all(Array.from({ length: 24 }, () => h.auth.createLoginChallenge()));
        const { signChallenge } = await vi.importActual<typeof ClientCert>('@city/client-cert');
        const done = await workOf(async () => {
          const results = await Promise.allSettled(
            challenges.map((challenge, i) =>
              h.auth.login({
                identifier: i % 2 === 0 ? reg.username : reg.uuid,
                password: `parallel guess ${i}`,
                challenge_id: challenge.challengeId,
                signature: signChallenge(stranger.privateKeyPem, challenge.challenge),
                device_id: stranger.deviceId,
              }),
            ),
          );
          const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as AuthError).code : 'OK'));
          expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(free + 1);
          expect(codes.filter((c) => c === 'ACCOUNT_LOCKED').length, codes.join(' ')).toBeGreaterThanOrEqual(
            24 - free - 1,
          );
          expect(codes.every((c) => c === 'INVALID_CREDENTIALS' || c === 'ACCOUNT_LOCKED')).toBe(true);
        });
        expect(done.passwords).toBeGreaterThanOrEqual(1);
        expect(done.passwords).toBeLessThanOrEqual(free + 1);
      });

      it('pairing-redemption-password-oracle: a right password with a bad token answers as a wrong one', async () => {
        const h = engine.harness();
        const { reg, principal } = await signedInUser(h.auth);
        const other = await signedInUser(h.auth);
        const foreign = (await h.auth.requestPairingToken(other.principal)).token;
        const expiring = (await h.auth.requestPairingToken(principal)).token;
        const random = randomBytes(32).toString('base64url');
        const redeem = (token: string, password: string, username = reg.username) =>
          expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username,
              password,
              key_algorithm: 'ed25519',
            }),
            'INVALID_CREDENTIALS',
          );
        const wrong = shape(await redeem(random, 'not the password at all'));
        const wrongWork = await workOf(() => redeem(random, 'not the password at all'));
        for (const [token, username] of [
          [random, reg.username],
          [foreign, reg.username],
          [random, `nobody.${randomBytes(4).toString('hex')}`],
        ] as const) {
          expect(shape(await redeem(token, PASSWORD, username))).toEqual(wrong);
          expect(await workOf(() => redeem(token, PASSWORD, username))).toEqual(wrongWork);
        }
        h.clock.advance(601);
        expect(shape(await redeem(expiring, PASSWORD))).toEqual(wrong);
        expect(wrongWork.passwords).toBe(1);
      });

      it('same work on every login failure path: one password, one certificate, one signature verified', async () => {
        const h = engine.harness();
        const reg = await registerWithServerKey(h.auth);
        const stranger = await registerWithServerKey(h.auth);
        const attempt = (input: {
          identifier: string;
          password?: string;
          deviceId: string;
          privateKeyPem: string;
        }) => workOf(() => expectAuthError(loginWithSignature(h.auth, input), 'INVALID_CREDENTIALS'));
        const ownKey = { deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem };
        const paths = {
          rightPasswordBadProof: await attempt({
            identifier: reg.username,
            deviceId: reg.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          }),
          rightPasswordForeignDevice: await attempt({
            identifier: reg.username,
            deviceId: stranger.deviceId,
            privateKeyPem: stranger.privateKeyPem,
          }),
          wrongPassword: await attempt({
            identifier: reg.username,
            password: 'wrong wrong wrong',
            ...ownKey,
          }),
          unknownUser: await attempt({ identifier: `nobody.${randomBytes(4).toString('hex')}`, ...ownKey }),
          unknownDevice: await attempt({
            identifier: reg.username,
            deviceId: 'no-such-device',
            privateKeyPem: reg.privateKeyPem,
          }),
        };
        for (const done of Object.values(paths)) {
          expect(done).toEqual({ passwords: 1, certificates: 1, signatures: 1 });
        }
        // A success does the same verifications.
        expect(
          await workOf(() => loginWithSignature(h.auth, { identifier: reg.username, ...ownKey })),
        ).toEqual({ passwords: 1, certificates: 1, signatures: 1 });
      });
    },
  );
}
