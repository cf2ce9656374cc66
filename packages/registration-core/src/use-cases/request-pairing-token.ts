/**
 * Pairing tokens: issued only to an authenticated user on an active,
 * registered device (any such device is a parent — no special "first" device). 256-bit random,
 * stored only as its SHA-256, single use, 10-minute TTL. The QR payload carries the uuid and the
 * token, never the password. An optional `device_label` names the device to be paired: it is
 * kept with the token (and shown in the QR payload as `label=`), so any redemption — through the
 * QR payload or with the bare token — labels the new device with it unless the redeemer names one.
 */
import { AuthError } from '../auth-error.js';
import type { PairingTokenResult, Principal, RequestContext } from '../auth-service.js';
import { assertLiveSession } from '../lib/_active-session.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { audit, iso, randomToken, type ServiceContext, sha256Hex } from '../lib/_service-context.js';
import { validatePairingTokenRequest } from '../validation/validate-pairing-token-request.js';

export async function requestPairingToken(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
  request: RequestContext = {},
): Promise<PairingTokenResult> {
  const deviceLabel = validatePairingTokenRequest(input);
  const device = await ctx.stores.devices.get(principal.userUuid, principal.deviceId);
  if (device === undefined || device.status !== 'active') throw new AuthError('DEVICE_NOT_FOUND');
  await assertLiveSession(ctx, principal);
  const now = ctx.clock.now();
  const token = randomToken(ctx, 32);
  const expiresAt = now + ctx.config.pairingTokenTtlSeconds * 1000;
  try {
    await ctx.stores.pairingTokens.create({
      tokenHash: sha256Hex(token),
      userUuid: principal.userUuid,
      parentDeviceId: device.deviceId,
      ...(deviceLabel === undefined ? {} : { deviceLabel }),
      createdAt: now,
      expiresAt,
    });
  } catch (error) {
    // Only a (256-bit) random collision could clash: retryable, never a 500.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  await audit(ctx, {
    type: 'pairing_token_issued',
    userUuid: principal.userUuid,
    deviceId: device.deviceId,
    ip: request.ip,
    detail: deviceLabel === undefined ? { expiresAt } : { expiresAt, deviceLabel },
  });
  const params = new URLSearchParams({ v: '1', uuid: principal.userUuid, token });
  if (deviceLabel !== undefined) params.set('label', deviceLabel);
  const qrPayload = `city-auth:pair?${params.toString()}`;
  return deviceLabel === undefined
    ? { token, expiresAt: iso(expiresAt), qrPayload }
    : { token, expiresAt: iso(expiresAt), qrPayload, deviceLabel };
}
