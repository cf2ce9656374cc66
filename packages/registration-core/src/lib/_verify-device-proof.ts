/**
 * Device proof at login. `signature`: the device's stored certificate must still verify against
 * our CA (validity, CRL) and the signature over the challenge must verify with its key.
 * `mtls`: the certificate the TLS layer verified must chain to our CA, not be revoked, and be
 * the current certificate of an active device of this user. `fingerprint` (the seeds' mode,
 * opt-in): the fingerprint must name an active device of this user — weak, since fingerprints
 * are public.
 */
import {
  CertificateError,
  normalizeFingerprint,
  verifyChallengeSignature,
  verifyClientCertificate,
} from '@city/client-cert';
import type { DeviceRecord, UserRecord } from '@city/ports';
import type { ProofMode } from '../auth-config.js';
import type { RequestContext } from '../auth-service.js';
import type { ValidLogin } from '../validation/validate-login-input.js';
import { nowDate, type ServiceContext } from './_service-context.js';

export type DeviceProofResult =
  | { readonly ok: true; readonly device: DeviceRecord }
  | { readonly ok: false; readonly reason: string; readonly deviceId?: string | undefined };

export async function verifyDeviceProof(
  ctx: ServiceContext,
  user: UserRecord,
  mode: ProofMode,
  login: ValidLogin,
  challenge: string | undefined,
  request: RequestContext,
): Promise<DeviceProofResult> {
  if (mode === 'signature') {
    const device = await ctx.stores.devices.get(user.uuid, login.deviceId ?? '');
    const usable = await usableDevice(ctx, device);
    if (!usable.ok) return usable;
    if (
      challenge === undefined ||
      !verifyChallengeSignature(usable.device.certificatePem, challenge, login.signature ?? '')
    ) {
      return { ok: false, reason: 'bad_signature', deviceId: usable.device.deviceId };
    }
    return usable;
  }
  if (mode === 'mtls') {
    let fingerprint: string;
    try {
      const info = await verifyClientCertificate(request.peerCertificatePem ?? '', {
        ca: ctx.ca,
        now: nowDate(ctx),
        isRevoked: (serial) => ctx.stores.certificateRevocations.isRevoked(serial),
      });
      fingerprint = info.fingerprint;
    } catch (error) {
      return { ok: false, reason: certificateReason(error) };
    }
    const device = await ctx.stores.devices.getByFingerprint(fingerprint);
    if (device === undefined || device.userUuid !== user.uuid)
      return { ok: false, reason: 'device_mismatch' };
    return usableDevice(ctx, device);
  }
  let fingerprint: string;
  try {
    fingerprint = normalizeFingerprint(login.fingerprint ?? '');
  } catch {
    return { ok: false, reason: 'fingerprint_malformed' };
  }
  const device = await ctx.stores.devices.getByFingerprint(fingerprint);
  if (device === undefined || device.userUuid !== user.uuid) return { ok: false, reason: 'device_mismatch' };
  return usableDevice(ctx, device);
}

/** An active device whose stored certificate still verifies (validity and CRL). */
export async function usableDevice(
  ctx: ServiceContext,
  device: DeviceRecord | undefined,
): Promise<DeviceProofResult> {
  if (device === undefined) return { ok: false, reason: 'unknown_device' };
  if (device.status !== 'active') return { ok: false, reason: 'device_revoked', deviceId: device.deviceId };
  try {
    await verifyClientCertificate(device.certificatePem, {
      ca: ctx.ca,
      now: nowDate(ctx),
      isRevoked: (serial) => ctx.stores.certificateRevocations.isRevoked(serial),
    });
  } catch (error) {
    return { ok: false, reason: certificateReason(error), deviceId: device.deviceId };
  }
  return { ok: true, device };
}

function certificateReason(error: unknown): string {
  if (!(error instanceof CertificateError)) throw error;
  switch (error.code) {
    case 'CERT_EXPIRED':
      return 'certificate_expired';
    case 'CERT_NOT_YET_VALID':
      return 'certificate_not_yet_valid';
    case 'CERT_REVOKED':
      return 'certificate_revoked';
    case 'CERT_SIGNATURE_INVALID':
      return 'certificate_untrusted';
    default:
      return 'certificate_invalid';
  }
}
