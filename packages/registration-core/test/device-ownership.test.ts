/**
 * Attack: acting on another user's device, pairing token or session by id (a 2026 CVE
 * in a peer's device flow). Every lookup is scoped by the authenticated uuid, and another user's
 * ids look exactly like ids that do not exist (DEVICE_NOT_FOUND, never FORBIDDEN).
 */
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('device ownership', () => {
        it("user B cannot list, revoke or renew user A's device: it is simply not found", async () => {
          const h = engine.harness();
          const a = await signedInUser(h.auth);
          const b = await signedInUser(h.auth);
          expect((await h.auth.listDevices(b.principal)).map((d) => d.deviceId)).toEqual([b.reg.deviceId]);
          const foreign = await expectAuthError(
            h.auth.revokeDevice(b.principal, a.reg.deviceId),
            'DEVICE_NOT_FOUND',
          );
          const missing = await expectAuthError(
            h.auth.revokeDevice(b.principal, '00000000-0000-4000-8000-000000000000'),
            'DEVICE_NOT_FOUND',
          );
          expect(foreign.message).toBe(missing.message);
          await expectAuthError(
            h.auth.renewDeviceCertificate(b.principal, { device_id: a.reg.deviceId }),
            'DEVICE_NOT_FOUND',
          );
          for (const hostile of [{ $gt: '' }, ['x'], 42, '', 'x'.repeat(500)]) {
            await expectAuthError(h.auth.revokeDevice(b.principal, hostile), 'DEVICE_NOT_FOUND');
          }
          // A's device and session are untouched.
          expect((await h.auth.authenticate(a.login.accessToken)).deviceId).toBe(a.reg.deviceId);
        });

        it("user B cannot redeem user A's pairing token, even with B's correct credentials", async () => {
          const h = engine.harness();
          const a = await signedInUser(h.auth);
          const b = await signedInUser(h.auth);
          const { token } = await h.auth.requestPairingToken(a.principal);
          await expectAuthError(
            h.auth.registerDeviceWithPairingToken({
              pairing_token: token,
              username: b.reg.username,
              password: PASSWORD,
              key_algorithm: 'ed25519',
            }),
            'INVALID_CREDENTIALS',
          );
          expect(await h.auth.listDevices(b.principal)).toHaveLength(1);
          // Not consumed: A can still use it.
          await h.auth.registerDeviceWithPairingToken({
            pairing_token: token,
            username: a.reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
          expect(await h.auth.listDevices(a.principal)).toHaveLength(2);
        });

        it("a principal forged with another user's device id is refused", async () => {
          const h = engine.harness();
          const a = await signedInUser(h.auth);
          const b = await signedInUser(h.auth);
          await expectAuthError(
            h.auth.requestPairingToken({ ...b.principal, deviceId: a.reg.deviceId }),
            'DEVICE_NOT_FOUND',
          );
        });

        it('revoking one device leaves the other devices logged in (per-device sessions)', async () => {
          const h = engine.harness();
          const a = await signedInUser(h.auth);
          const { token } = await h.auth.requestPairingToken(a.principal);
          const second = await h.auth.registerDeviceWithPairingToken({
            pairing_token: token,
            username: a.reg.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
          });
          const secondLogin = await loginWithSignature(h.auth, {
            identifier: a.reg.uuid,
            deviceId: second.deviceId,
            privateKeyPem: second.privateKeyPem as string,
          });
          await h.auth.revokeDevice(a.principal, second.deviceId);
          await expectAuthError(h.auth.authenticate(secondLogin.accessToken), 'TOKEN_REVOKED');
          await expectAuthError(
            refreshWithProof(h.auth, secondLogin.refreshToken, second.privateKeyPem as string),
            'TOKEN_REVOKED',
          );
          expect((await h.auth.authenticate(a.login.accessToken)).deviceId).toBe(a.reg.deviceId);
          expect((await refreshWithProof(h.auth, a.login.refreshToken, a.reg.privateKeyPem)).deviceId).toBe(
            a.reg.deviceId,
          );
          await expectAuthError(h.auth.revokeDevice(a.principal, second.deviceId), 'DEVICE_NOT_FOUND');
        });
      });
    },
  );
}
