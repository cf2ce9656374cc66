/**
 * Revoking the account's last active device locks its owner out (only an operator's enrolment token
 * brings a device back), so it happens only when asked for explicitly; any other device is revoked
 * as before.
 */
import { describe, expect, it } from 'vitest';
import { expectAuthError, PASSWORD, signedInUser, useEngine } from './support/auth-harness.js';
import { sqliteEngine } from './support/store-engines.js';

describe('revoking the last active device', () => {
  const engine = useEngine(sqliteEngine);

  it('is refused without confirmation, nothing changed; done with it', async () => {
    const h = engine.harness();
    const user = await signedInUser(h.auth);
    const error = await expectAuthError(
      h.auth.revokeDevice(user.principal, user.reg.deviceId),
      'LAST_DEVICE_CONFIRMATION_REQUIRED',
    );
    expect(error.message).toContain('resetDevices');
    expect((await h.auth.listDevices(user.principal)).map((d) => d.status)).toEqual(['active']);
    const revoked = await h.auth.revokeDevice(
      user.principal,
      user.reg.deviceId,
      {},
      { confirmLastDevice: true },
    );
    expect(revoked.status).toBe('revoked');
    await expectAuthError(h.auth.authenticate(user.login.accessToken), 'TOKEN_REVOKED');
  });

  it('another device is revoked without confirmation while one stays active', async () => {
    const h = engine.harness();
    const user = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(user.principal);
    const second = await h.auth.registerDeviceWithPairingToken({
      pairing_token: issued.token,
      username: user.reg.username,
      password: PASSWORD,
      key_algorithm: 'ed25519',
    });
    expect((await h.auth.revokeDevice(user.principal, second.deviceId)).status).toBe('revoked');
    // Now the current device is the last one again.
    await expectAuthError(
      h.auth.revokeDevice(user.principal, user.reg.deviceId),
      'LAST_DEVICE_CONFIRMATION_REQUIRED',
    );
  });
});
