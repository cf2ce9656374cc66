/**
 * Attack: redeeming one pairing token many times at once (or after use / expiry, or with another
 * account's credentials). Exactly one device results; every other attempt fails as a wrong
 * password does (INVALID_CREDENTIALS, so a right password is never confirmed); the audit log keeps
 * the precise reason. Runs on dynalite + s3rver (the real adapter's atomic consume).
 */
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import { describe, expect, it } from 'vitest';
import {
  type EngineFixture,
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

async function owner(engine: EngineFixture, config?: Parameters<EngineFixture['harness']>[0]) {
  const h = engine.harness(config);
  const { reg, principal } = await signedInUser(h.auth);
  return { h, reg, principal };
}

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('pairing race', () => {
        it('30 concurrent redemptions of one token produce exactly one device', async () => {
          // Enough free guesses that all 30 reach the token (past them, guesses wait for the lock).
          const { h, reg, principal } = await owner(engine, { lockout: { accountFreeAttempts: 100 } });
          const { token } = await h.auth.requestPairingToken(principal);
          const results = await Promise.allSettled(
            Array.from({ length: 30 }, () =>
              h.auth.registerDeviceWithPairingToken({
                pairing_token: token,
                username: reg.username,
                password: PASSWORD,
                key_algorithm: 'ed25519',
              }),
            ),
          );
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          for (const r of results)
            if (r.status === 'rejected')
              expect((r.reason as { code: string }).code).toBe('INVALID_CREDENTIALS');
          expect(await h.auth.listDevices(principal)).toHaveLength(2);
        });

        it('the new device gets its own certificate and no session; it logs in with its own key', async () => {
          const { h, reg, principal } = await owner(engine);
          const { qrPayload } = await h.auth.requestPairingToken(principal);
          const key = await generateKeyPair('ml-dsa-44');
          const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
          const dev = await h.auth.registerDeviceWithPairingToken({
            qr_code: qrPayload,
            username: reg.username,
            password: PASSWORD,
            csr,
          });
          expect(Object.keys(dev)).not.toContain('accessToken');
          expect(Object.keys(dev)).not.toContain('refreshToken');
          expect(dev.fingerprint).not.toBe(reg.fingerprint);
          const login = await loginWithSignature(h.auth, {
            identifier: reg.username,
            deviceId: dev.deviceId,
            privateKeyPem: key.privateKeyPem,
          });
          expect(login.deviceId).toBe(dev.deviceId);
          // The first device's key cannot log in as the new device.
          await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: reg.username,
              deviceId: dev.deviceId,
              privateKeyPem: reg.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
        });

        it('a used token, an expired token and an unknown token are refused like a wrong password', async () => {
          const { h, reg, principal } = await owner(engine);
          const body = (token: string) => ({
            pairing_token: token,
            username: reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
          const used = await h.auth.requestPairingToken(principal);
          await h.auth.registerDeviceWithPairingToken(body(used.token));
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken(body(used.token)),
            'INVALID_CREDENTIALS',
          );
          const expiring = await h.auth.requestPairingToken(principal);
          expect(Date.parse(expiring.expiresAt) - h.clock.now()).toBe(600_000);
          h.clock.advance(601);
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken(body(expiring.token)),
            'INVALID_CREDENTIALS',
          );
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken(body('A'.repeat(43))),
            'INVALID_CREDENTIALS',
          );
        });

        it('requires username and password even with a valid token, and checks them', async () => {
          const { h, reg, principal } = await owner(engine);
          const { token } = await h.auth.requestPairingToken(principal);
          const missing = await expectAuthError(
            h.auth.registerDeviceWithPairingToken({ pairing_token: token }),
            'PAIRING_CREDENTIALS_REQUIRED',
          );
          expect(missing.fields?.map((f) => f.field)).toEqual(['username', 'password']);
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken({ pairing_token: token, username: reg.username }),
            'PAIRING_CREDENTIALS_REQUIRED',
          );
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: reg.username,
              password: 'wrong password here',
            }),
            'INVALID_CREDENTIALS',
          );
          // Failed attempts did not spend the token.
          const dev = await h.auth.registerDeviceWithPairingToken({
            pairing_token: token,
            username: reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
          expect(dev.uuid).toBe(reg.uuid);
        });

        it('a token whose parent device was revoked is dead (stolen-phone case)', async () => {
          const { h, reg, principal } = await owner(engine);
          const { token } = await h.auth.requestPairingToken(principal);
          const other = await h.auth.registerDeviceWithPairingToken({
            pairing_token: (await h.auth.requestPairingToken(principal)).token,
            username: reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
          const otherLogin = await loginWithSignature(h.auth, {
            identifier: reg.username,
            deviceId: other.deviceId,
            privateKeyPem: other.privateKeyPem as string,
          });
          await h.auth.revokeDevice(await h.auth.authenticate(otherLogin.accessToken), reg.deviceId);
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: reg.username,
              password: PASSWORD,
              key_algorithm: 'ed25519',
            }),
            'INVALID_CREDENTIALS',
          );
        });

        it('a bad CSR does not spend the token', async () => {
          const { h, reg, principal } = await owner(engine);
          const { token } = await h.auth.requestPairingToken(principal);
          const bogus = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n';
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: reg.username,
              password: PASSWORD,
              csr: bogus,
            }),
            'CERTIFICATE_REQUEST_INVALID',
          );
          await h.auth.registerDeviceWithPairingToken({
            pairing_token: token,
            username: reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
        });
      });
    },
  );
}
