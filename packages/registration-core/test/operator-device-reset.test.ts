/**
 * The operator's way back in for a user without a usable device: `resetDevices` revokes every
 * device (sessions end at once, certificates on the CRL) and issues a one-time enrolment token that
 * enrols a new device through the pairing redemption with the user's password — once, within 24
 * hours, never without the password, and only for that user. Audited and notified.
 */
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { sqliteEngine } from './support/store-engines.js';

const OPERATOR = { operator: 'test' };

describe('resetDevices', () => {
  const engine = useEngine(sqliteEngine);

  it('revokes every device, and the enrolment token enrols exactly one new device', async () => {
    const h = engine.harness();
    const user = await signedInUser(h.auth);
    const reset = await h.auth.resetDevices(OPERATOR, { username: user.reg.username }, { ip: '192.0.2.9' });
    expect(reset).toMatchObject({ uuid: user.reg.uuid, username: user.reg.username, devicesRevoked: 1 });
    expect(reset.qrPayload).toBe(`city-auth:pair?v=1&uuid=${user.reg.uuid}&token=${reset.token}`);
    expect(Date.parse(reset.expiresAt) - h.clock.now()).toBe(24 * 3600 * 1000);

    // The old device and its session are gone at once.
    await expectAuthError(h.auth.authenticate(user.login.accessToken), 'TOKEN_REVOKED');
    const old = {
      identifier: user.reg.uuid,
      deviceId: user.reg.deviceId,
      privateKeyPem: user.reg.privateKeyPem,
    };
    await expectAuthError(loginWithSignature(h.auth, old), 'INVALID_CREDENTIALS');

    // Without the password the token is worthless.
    await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        pairing_token: reset.token,
        username: user.reg.username,
        password: `${PASSWORD}-wrong`,
      }),
      'INVALID_CREDENTIALS',
    );
    const enrolled = await h.auth.registerDeviceWithPairingToken({
      qr_code: reset.qrPayload,
      username: user.reg.username,
      password: PASSWORD,
      key_algorithm: 'ed25519',
    });
    expect(enrolled.uuid).toBe(user.reg.uuid);
    expect(enrolled.pairedFromDeviceId).toBeUndefined();
    const login = await loginWithSignature(h.auth, {
      identifier: user.reg.username,
      deviceId: enrolled.deviceId,
      privateKeyPem: enrolled.privateKeyPem as string,
    });
    const principal = await h.auth.authenticate(login.accessToken);
    const devices = await h.auth.listDevices(principal);
    expect(devices.map((d) => [d.deviceId, d.status]).sort()).toEqual(
      [
        [user.reg.deviceId, 'revoked'],
        [enrolled.deviceId, 'active'],
      ].sort(),
    );
    await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        pairing_token: reset.token,
        username: user.reg.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      }),
      'INVALID_CREDENTIALS',
    );

    const trail = await h.auth.listAudit(OPERATOR, { user_uuid: user.reg.uuid, limit: 50 });
    expect(trail.items.find((e) => e.type === 'devices_reset')).toMatchObject({
      ip: '192.0.2.9',
      detail: { by: 'operator:test', devicesRevoked: 1 },
    });
    expect(trail.items.find((e) => e.type === 'device_revoked')?.detail).toMatchObject({
      by: 'operator:test',
    });
  });

  it('the token belongs to its user only and expires after 24 hours', async () => {
    const h = engine.harness();
    const owner = await signedInUser(h.auth);
    const other = await signedInUser(h.auth);
    const reset = await h.auth.resetDevices(OPERATOR, { user_uuid: owner.reg.uuid });
    await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        pairing_token: reset.token,
        username: other.reg.username,
        password: PASSWORD,
      }),
      'INVALID_CREDENTIALS',
    );
    h.clock.advance(24 * 3600 + 1);
    await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        pairing_token: reset.token,
        username: owner.reg.username,
        password: PASSWORD,
      }),
      'INVALID_CREDENTIALS',
    );
  });

  it('is an admin permission, and names an existing user', async () => {
    const h = engine.harness();
    const user = await signedInUser(h.auth);
    await expectAuthError(h.auth.resetDevices(user.principal, { user_uuid: user.reg.uuid }), 'FORBIDDEN');
    await expectAuthError(h.auth.resetDevices(OPERATOR, { username: 'nobody-here' }), 'USER_NOT_FOUND');
    await expectAuthError(h.auth.resetDevices(OPERATOR, {}), 'VALIDATION_FAILED');
    await expectAuthError(
      h.auth.resetDevices(OPERATOR, { username: user.reg.username, extra: 1 }),
      'VALIDATION_FAILED',
    );
  });
});
