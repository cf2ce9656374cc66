/**
 * Attack: telling registered identifiers apart through login, pairing, lockout or token
 * revocation answers. Unknown users and wrong passwords get identical errors (code, message,
 * fields, retry hints) after the same Argon2id work (a dummy verification); lockouts apply to
 * unknown identifiers exactly as to real ones; the precise reason is only in the audit log.
 * Timing equality itself is measured in bench/, not asserted here.
 */
import { describe, expect, it } from 'vitest';
import type { AuthError } from '../src/auth-error.js';
import {
  expectAuthError,
  loginWithSignature,
  refreshWithProof,
  registerWithServerKey,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

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
      describe('user enumeration', () => {
        it('unknown user and wrong password give the same error; the audit log knows which', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const attempt = (identifier: string, password: string) =>
            expectAuthError(
              loginWithSignature(h.auth, {
                identifier,
                password,
                deviceId: reg.deviceId,
                privateKeyPem: reg.privateKeyPem,
              }),
              'INVALID_CREDENTIALS',
            );
          const wrong = await attempt(reg.username, 'not the password at all');
          const unknown = await attempt('nobody.here', 'not the password at all');
          const unknownEmail = await attempt('nobody@example.com', 'not the password at all');
          const malformed = await attempt('!!', 'not the password at all');
          expect(shape(unknown)).toEqual(shape(wrong));
          expect(shape(unknownEmail)).toEqual(shape(wrong));
          expect(shape(malformed)).toEqual(shape(wrong));
          const failures = (await h.stores.audit.list({ limit: 200 })).items.filter(
            (e) => e.type === 'login_failure',
          );
          expect(failures.some((e) => e.userUuid === reg.uuid && e.reason === 'wrong_password')).toBe(true);
          expect(failures.some((e) => e.userUuid === undefined && e.reason === 'unknown_user')).toBe(true);
        });

        it('right password on a device of someone else is the same INVALID_CREDENTIALS', async () => {
          const h = engine.harness();
          const a = await registerWithServerKey(h.auth);
          const b = await registerWithServerKey(h.auth);
          const e = await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: a.username,
              deviceId: b.deviceId,
              privateKeyPem: b.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
          expect(e.message).toBe(
            (
              await expectAuthError(
                loginWithSignature(h.auth, {
                  identifier: 'ghost.user',
                  deviceId: b.deviceId,
                  privateKeyPem: b.privateKeyPem,
                }),
                'INVALID_CREDENTIALS',
              )
            ).message,
          );
        });

        it('lockout answers are the same for an existing and a non-existing identifier', async () => {
          const h = engine.harness({ lockout: { accountFreeAttempts: 3, baseLockSeconds: 30 } });
          const reg = await registerWithServerKey(h.auth);
          // The guesser holds a device key, but not one of the account's.
          const guesser = await registerWithServerKey(h.auth);
          const hammer = async (identifier: string) => {
            const errors: AuthError[] = [];
            for (let i = 0; i < 5; i++) {
              try {
                await loginWithSignature(h.auth, {
                  identifier,
                  password: 'wrong wrong wrong',
                  deviceId: guesser.deviceId,
                  privateKeyPem: guesser.privateKeyPem,
                });
              } catch (error) {
                errors.push(error as AuthError);
              }
            }
            return errors.map(shape);
          };
          const known = await hammer(reg.username);
          const unknown = await hammer('never.registered');
          expect(unknown).toEqual(known);
          expect(known.map((e) => e.code)).toEqual([
            'INVALID_CREDENTIALS',
            'INVALID_CREDENTIALS',
            'INVALID_CREDENTIALS',
            'INVALID_CREDENTIALS',
            'ACCOUNT_LOCKED',
          ]);
          expect(known[4]?.retryAfterSeconds).toBe(30);
        });

        it('pairing with an unknown username or a wrong password gives the same answer', async () => {
          const h = engine.harness();
          const { reg, principal } = await signedInUser(h.auth);
          const { token } = await h.auth.requestPairingToken(principal);
          const wrong = await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: reg.username,
              password: 'wrong wrong wrong',
            }),
            'INVALID_CREDENTIALS',
          );
          const unknown = await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: 'no.such.user',
              password: 'wrong wrong wrong',
            }),
            'INVALID_CREDENTIALS',
          );
          expect(shape(unknown)).toEqual(shape(wrong));
        });

        it('token revocation (RFC 7009) answers the same for valid, revoked, expired and garbage tokens', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const login = await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          });
          const inputs: unknown[] = [
            { token: login.accessToken },
            { token: login.accessToken },
            { token: login.refreshToken, token_type_hint: 'refresh_token' },
            { token: 'garbage' },
            { token: { $gt: '' } },
            {},
            null,
            'text',
            [1, 2],
            { token: 'x'.repeat(100_000) },
          ];
          for (const input of inputs) await expect(h.auth.revokeToken(input)).resolves.toBeUndefined();
          await expectAuthError(h.auth.authenticate(login.accessToken), 'TOKEN_REVOKED');
          await expectAuthError(
            refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
            'TOKEN_REVOKED',
          );
        });
      });
    },
  );
}
