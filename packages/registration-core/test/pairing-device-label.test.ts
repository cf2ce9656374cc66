/**
 * The documented `device_label` of a pairing-token request: accepted and validated like the
 * registration label, stored with the token and carried in the QR payload, and given to the device
 * that redeems the token — through the payload or as a bare token — unless the redeemer names its own.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectAuthError, PASSWORD, signedInUser, useEngine } from './support/auth-harness.js';
import { dynaliteEngine } from './support/store-engines.js';

type Harness = ReturnType<ReturnType<typeof useEngine>['harness']>;

/** Redeems a pairing token as `a` (password, server-generated key) and returns the new device's label. */
async function redeemedLabel(
  h: Harness,
  a: Awaited<ReturnType<typeof signedInUser>>,
  redemption: Record<string, unknown>,
): Promise<string | undefined> {
  const paired = await h.auth.registerDeviceWithPairingToken({
    username: a.reg.username,
    password: PASSWORD,
    key_algorithm: 'ed25519',
    ...redemption,
  });
  const devices = await h.auth.listDevices(a.principal);
  return devices.find((d) => d.deviceId === paired.deviceId)?.label;
}

describe('pairing token device_label', () => {
  const engine = useEngine(dynaliteEngine);

  it('is accepted, returned, and labels the device redeemed through the QR payload', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: '  居間の タブレット ' });
    expect(issued.deviceLabel).toBe('居間の タブレット');
    expect(new URLSearchParams(issued.qrPayload.split('?')[1]).get('label')).toBe('居間の タブレット');
    expect(await redeemedLabel(h, a, { qr_code: issued.qrPayload })).toBe('居間の タブレット');
  });

  it("the redeemer's own device_label wins over the one in the payload", async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: 'tablet' });
    expect(await redeemedLabel(h, a, { qr_code: issued.qrPayload, device_label: 'my phone' })).toBe(
      'my phone',
    );
  });

  it('is stored with the token (only its hash is the key) and labels a bare-token redemption', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: ' kitchen tablet ' });
    const tokenHash = createHash('sha256').update(issued.token).digest('hex');
    expect((await h.stores.pairingTokens.get(tokenHash))?.deviceLabel).toBe('kitchen tablet');
    expect(await redeemedLabel(h, a, { pairing_token: issued.token })).toBe('kitchen tablet');
  });

  it('labels the device from the token when the QR payload lost its label', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: 'tablet' });
    const stripped = issued.qrPayload.replace('&label=tablet', '');
    expect(stripped).not.toContain('label=');
    expect(await redeemedLabel(h, a, { qr_code: stripped })).toBe('tablet');
  });

  it("a bare-token redeemer's own device_label wins over the token's", async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: 'tablet' });
    expect(await redeemedLabel(h, a, { pairing_token: issued.token, device_label: 'my phone' })).toBe(
      'my phone',
    );
  });

  it('without a label the token, the device, the payload and the result carry none', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, {});
    const tokenHash = createHash('sha256').update(issued.token).digest('hex');
    expect(await h.stores.pairingTokens.get(tokenHash)).not.toHaveProperty('deviceLabel');
    expect(await redeemedLabel(h, a, { pairing_token: issued.token })).toBeUndefined();
  });

  it('without a label the payload and the result carry none', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    for (const body of [undefined, {}]) {
      const issued = await h.auth.requestPairingToken(a.principal, body);
      expect(issued.deviceLabel).toBeUndefined();
      expect(issued.qrPayload).not.toContain('label=');
    }
  });

  it('rejects a bad label with a field error naming device_label', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    for (const bad of ['', 'x'.repeat(65), 'a\u0000b', 42, ['x'], { $ne: '' }]) {
      const error = await expectAuthError(
        h.auth.requestPairingToken(a.principal, { device_label: bad }),
        'VALIDATION_FAILED',
      );
      expect(error.fields?.map((f) => f.field)).toEqual(['device_label']);
    }
    const unknown = await expectAuthError(
      h.auth.requestPairingToken(a.principal, { label: 'x' }),
      'VALIDATION_FAILED',
    );
    expect(unknown.fields?.map((f) => f.field)).toEqual(['label']);
  });

  it('a tampered payload label that would not pass as device_label makes the qr_code invalid', async () => {
    const h = engine.harness();
    const a = await signedInUser(h.auth);
    const issued = await h.auth.requestPairingToken(a.principal, { device_label: 'tablet' });
    const tampered = issued.qrPayload.replace('label=tablet', `label=${'y'.repeat(80)}`);
    const error = await expectAuthError(
      h.auth.registerDeviceWithPairingToken({
        qr_code: tampered,
        username: a.reg.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      }),
      'VALIDATION_FAILED',
    );
    expect(error.fields?.map((f) => f.field)).toEqual(['qr_code']);
  });
});
