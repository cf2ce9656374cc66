/**
 * A device's own certificate for its owner (PEM download, QR of its reference): looked up under
 * `(principal.userUuid, deviceId)`, so another user's device id is `DEVICE_NOT_FOUND`, never
 * confirmed to exist. The certificate is public data; the private key is never stored.
 */
import { AuthError } from '../auth-error.js';
import type { DeviceCertificateResult, Principal } from '../auth-service.js';
import { certificateQrPayload } from '../lib/_issue-device-certificate.js';
import { iso, type ServiceContext } from '../lib/_service-context.js';

export async function getDeviceCertificate(
  ctx: ServiceContext,
  principal: Principal,
  deviceId: unknown,
): Promise<DeviceCertificateResult> {
  if (
    typeof deviceId !== 'string' ||
    deviceId === '' ||
    deviceId.length > 128 ||
    deviceId.includes('\u0000')
  ) {
    throw new AuthError('DEVICE_NOT_FOUND');
  }
  const device = await ctx.stores.devices.get(principal.userUuid, deviceId);
  if (device === undefined || device.userUuid !== principal.userUuid) throw new AuthError('DEVICE_NOT_FOUND');
  return {
    deviceId: device.deviceId,
    status: device.status,
    certificatePem: device.certificatePem,
    fingerprint: device.fingerprint,
    serialNumber: device.serialNumber,
    algorithm: device.algorithm,
    notAfter: iso(device.notAfter),
    caCertificatePem: ctx.ca.certificatePem,
    qrPayload: certificateQrPayload(principal.userUuid, device.deviceId, device.fingerprint),
  };
}
