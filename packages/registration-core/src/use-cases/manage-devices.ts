/**
 * Device management for the authenticated owner:
 * every lookup is (principal.userUuid, deviceId), so another user's device id is simply
 * `DEVICE_NOT_FOUND` — never confirmed to exist. Revoking a device puts its certificate serial on
 * the CRL and revokes that device's sessions only; renewing replaces an active device's
 * certificate (only if it is still the one the renewal started from) and revokes the old serial
 * as superseded. Both re-check the caller's session first: a principal whose session ended
 * changes nothing.
 */
import { type DeviceRecord, NotFoundError } from '@city/ports';
import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithm } from '../auth-config.js';
import { AuthError } from '../auth-error.js';
import type { DeviceSummary, Principal, RenewedCertificateResult, RequestContext } from '../auth-service.js';
import { assertLiveSession } from '../lib/_active-session.js';
import {
  issueDeviceCertificate,
  storeCertificateBody,
  toIssuedDeviceCertificate,
} from '../lib/_issue-device-certificate.js';
import { ignoreNotFound, rethrowPortError } from '../lib/_port-errors.js';
import { audit, iso, notify, revokeFamily, type ServiceContext } from '../lib/_service-context.js';
import { validateRenewInput } from '../validation/validate-renew-input.js';

export function deviceSummary(device: DeviceRecord, currentDeviceId: string): DeviceSummary {
  return {
    deviceId: device.deviceId,
    label: device.label,
    status: device.status,
    fingerprint: device.fingerprint,
    serialNumber: device.serialNumber,
    algorithm: device.algorithm,
    createdAt: iso(device.createdAt),
    notAfter: iso(device.notAfter),
    revokedAt: device.revokedAt === undefined ? undefined : iso(device.revokedAt),
    pairedFromDeviceId: device.pairedFromDeviceId,
    current: device.deviceId === currentDeviceId,
  };
}

export async function listDevices(
  ctx: ServiceContext,
  principal: Principal,
): Promise<readonly DeviceSummary[]> {
  const devices = await ctx.stores.devices.listByUser(principal.userUuid);
  return devices
    .filter((d) => d.userUuid === principal.userUuid)
    .map((d) => deviceSummary(d, principal.deviceId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Reads a device id argument: a string of sane size, else not found (ids are never echoed). */
function deviceIdArgument(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 128 || value.includes('\u0000')) {
    throw new AuthError('DEVICE_NOT_FOUND');
  }
  return value;
}

/**
 * Revokes one device: the record, its certificate onto the CRL, every session opened on it; audited
 * with who did it, and notified. `NotFoundError` from the store (revoked meanwhile) is DEVICE_NOT_FOUND.
 */
export async function revokeDeviceRecord(
  ctx: ServiceContext,
  device: DeviceRecord,
  actor: { by: string; ip?: string | undefined; reason?: string },
): Promise<DeviceRecord> {
  const now = ctx.clock.now();
  let revoked: DeviceRecord;
  try {
    revoked = await ctx.stores.devices.revoke(device.userUuid, device.deviceId, now);
  } catch (error) {
    if (error instanceof NotFoundError) throw new AuthError('DEVICE_NOT_FOUND');
    throw error;
  }
  await ctx.stores.certificateRevocations.add({
    serialNumber: device.serialNumber,
    userUuid: device.userUuid,
    deviceId: device.deviceId,
    revokedAt: now,
    reason: 'cessationOfOperation',
    notAfter: device.notAfter,
  });
  const families = await ctx.stores.refreshTokens.listByUser(device.userUuid);
  let sessions = 0;
  for (const family of families) {
    if (family.deviceId === device.deviceId && family.status === 'active') {
      // A family that expired away meanwhile is as revoked as it gets.
      await ignoreNotFound(() => revokeFamily(ctx, family, actor.reason ?? 'device_revoked'));
      sessions++;
    }
  }
  await audit(ctx, {
    type: 'device_revoked',
    userUuid: device.userUuid,
    deviceId: device.deviceId,
    ip: actor.ip,
    detail: { serialNumber: device.serialNumber, sessionsRevoked: sessions, by: actor.by },
  });
  await notify(ctx, { type: 'revocation', userUuid: device.userUuid, data: { deviceId: device.deviceId } });
  return revoked;
}

export async function revokeDevice(
  ctx: ServiceContext,
  principal: Principal,
  deviceIdInput: unknown,
  request: RequestContext = {},
  options: { confirmLastDevice?: boolean } = {},
): Promise<DeviceSummary> {
  const deviceId = deviceIdArgument(deviceIdInput);
  await assertLiveSession(ctx, principal);
  const device = await ctx.stores.devices.get(principal.userUuid, deviceId);
  if (device === undefined || device.userUuid !== principal.userUuid || device.status !== 'active') {
    throw new AuthError('DEVICE_NOT_FOUND');
  }
  if (options.confirmLastDevice !== true) {
    // The last active device is the last way to log in: revoking it must be asked for explicitly.
    const devices = await ctx.stores.devices.listByUser(principal.userUuid);
    if (!devices.some((d) => d.status === 'active' && d.deviceId !== deviceId)) {
      throw new AuthError('LAST_DEVICE_CONFIRMATION_REQUIRED');
    }
  }
  const revoked = await revokeDeviceRecord(ctx, device, { by: principal.deviceId, ip: request.ip });
  return deviceSummary(revoked, principal.deviceId);
}

export async function renewDeviceCertificate(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
  request: RequestContext = {},
): Promise<RenewedCertificateResult> {
  const { deviceId: requested, csrPem, keyAlgorithm } = validateRenewInput(input);
  await assertLiveSession(ctx, principal);
  const deviceId = requested ?? principal.deviceId;
  const device = await ctx.stores.devices.get(principal.userUuid, deviceId);
  if (device === undefined || device.userUuid !== principal.userUuid || device.status !== 'active') {
    throw new AuthError('DEVICE_NOT_FOUND');
  }
  const algorithm: CertificateAlgorithm | undefined =
    csrPem !== undefined
      ? undefined
      : (keyAlgorithm ??
        ((CERTIFICATE_ALGORITHMS as readonly string[]).includes(device.algorithm)
          ? (device.algorithm as CertificateAlgorithm)
          : undefined));
  const issued = await issueDeviceCertificate(ctx, {
    userUuid: principal.userUuid,
    deviceId,
    csrPem,
    algorithm,
  });
  const certificateKey = await storeCertificateBody(ctx, principal.userUuid, deviceId, issued);
  try {
    // Compare-and-set on the certificate this renewal started from: of concurrent renewals from
    // one certificate exactly one replaces it, so no certificate is replaced unseen (and left
    // unrevoked).
    await ctx.stores.devices.replaceCertificate(principal.userUuid, deviceId, {
      expectedSerialNumber: device.serialNumber,
      fingerprint: issued.fingerprint,
      serialNumber: issued.serialNumber,
      certificatePem: issued.certificatePem,
      certificateKey,
      notAfter: issued.notAfter.getTime(),
    });
  } catch (error) {
    // A concurrent renewal of the same device won: one wins, the rest retry. The body stored
    // for the certificate that never took effect goes (its key names its own serial, so the
    // winner's body is untouched); failing to delete it only leaves an orphan, reported.
    await ctx.stores.certificates
      .delete(certificateKey)
      .catch((deleteError: unknown) => ctx.onInternalError(deleteError, 'renew:discard-certificate-body'));
    rethrowPortError(error, { notFound: 'DEVICE_NOT_FOUND', conflict: 'CONCURRENT_UPDATE' });
  }
  const now = ctx.clock.now();
  await ctx.stores.certificateRevocations.add({
    serialNumber: device.serialNumber,
    userUuid: principal.userUuid,
    deviceId,
    revokedAt: now,
    reason: 'superseded',
    notAfter: device.notAfter,
  });
  await audit(ctx, {
    type: 'device_renewed',
    userUuid: principal.userUuid,
    deviceId,
    ip: request.ip,
    detail: { previousSerialNumber: device.serialNumber, serialNumber: issued.serialNumber },
  });
  return {
    ...toIssuedDeviceCertificate(ctx, principal.userUuid, deviceId, issued),
    previousSerialNumber: device.serialNumber,
  };
}
