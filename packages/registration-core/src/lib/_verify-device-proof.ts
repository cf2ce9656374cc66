/**
 * Device proof at login, always the same work whatever fails: one device lookup, one stored
 * certificate verification (validity, CRL) and, for `signature`, one signature verification. When
 * there is no user, no such device, or an inactive one, a server-held stand-in certificate issued
 * by the same CA is verified instead, so a failure takes as long as a success would.
 * Proof modes: `signature`: the device's stored certificate must still verify against
 * our CA (validity, CRL) and the signature over the challenge must verify with its key.
 * `mtls`: the certificate the TLS layer verified must chain to our CA, not be revoked, and be
 * the current certificate of an active device of this user. `fingerprint` (the legacy mode,
 * opt-in): the fingerprint must name an active device of this user — weak, since fingerprints
 * are public.
 */
import {
  CertificateError,
  type IssuedCertificate,
  issueClientCertificate,
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

/** The uuid looked up when there is no user: no account has it (RFC 9562 nil UUID). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export async function verifyDeviceProof(
  ctx: ServiceContext,
  user: UserRecord | undefined,
  mode: ProofMode,
  login: ValidLogin,
  challenge: string | undefined,
  request: RequestContext,
): Promise<DeviceProofResult> {
  const standIn = await standInCertificate(ctx);
  if (mode === 'signature') {
    const device = await ctx.stores.devices.get(user?.uuid ?? NIL_UUID, login.deviceId ?? '');
    const usable = await usableDeviceEqualWork(ctx, device, standIn);
    const signed =
      challenge !== undefined &&
      verifyChallengeSignature(
        usable.ok ? usable.device.certificatePem : standIn.certificatePem,
        challenge,
        login.signature ?? '',
      );
    if (!usable.ok) return usable;
    if (!signed) return { ok: false, reason: 'bad_signature', deviceId: usable.device.deviceId };
    return usable;
  }
  let fingerprint: string | undefined;
  let failure: string | undefined;
  if (mode === 'mtls') {
    try {
      const info = await verifyClientCertificate(request.peerCertificatePem ?? '', {
        ca: ctx.ca,
        now: nowDate(ctx),
        isRevoked: (serial) => ctx.stores.certificateRevocations.isRevoked(serial),
      });
      fingerprint = info.fingerprint;
    } catch (error) {
      failure = certificateReason(error);
    }
  } else {
    try {
      fingerprint = normalizeFingerprint(login.fingerprint ?? '');
    } catch {
      failure = 'fingerprint_malformed';
    }
  }
  const device = await ctx.stores.devices.getByFingerprint(fingerprint ?? standIn.fingerprint);
  const owned = failure === undefined && device !== undefined && device.userUuid === user?.uuid;
  const usable = await usableDeviceEqualWork(ctx, owned ? device : undefined, standIn);
  if (failure !== undefined) return { ok: false, reason: failure };
  if (!owned) return { ok: false, reason: 'device_mismatch' };
  return usable;
}

/** As {@link usableDevice}, verifying the stand-in certificate when there is no active device. */
async function usableDeviceEqualWork(
  ctx: ServiceContext,
  device: DeviceRecord | undefined,
  standIn: IssuedCertificate,
): Promise<DeviceProofResult> {
  if (device !== undefined && device.status === 'active') return usableDevice(ctx, device);
  try {
    await verifyClientCertificate(standIn.certificatePem, {
      ca: ctx.ca,
      now: nowDate(ctx),
      isRevoked: (serial) => ctx.stores.certificateRevocations.isRevoked(serial),
    });
  } catch (error) {
    certificateReason(error);
  }
  if (device === undefined) return { ok: false, reason: 'unknown_device' };
  return { ok: false, reason: 'device_revoked', deviceId: device.deviceId };
}

const standIns = new WeakMap<ServiceContext, Promise<IssuedCertificate>>();

/**
 * A certificate from the service's CA for a key nobody holds (issued on first use, kept for the
 * life of the service, never stored), with the default device algorithm so verifying it costs what
 * verifying a real device certificate costs.
 */
function standInCertificate(ctx: ServiceContext): Promise<IssuedCertificate> {
  let pending = standIns.get(ctx);
  if (pending === undefined) {
    pending = issueClientCertificate({
      ca: ctx.ca,
      userUuid: NIL_UUID,
      deviceId: 'equal-work-stand-in',
      algorithm: ctx.config.defaultCertificateAlgorithm,
      validityDays: ctx.config.certificateValidityDays,
      now: nowDate(ctx),
    });
    // A failed issue is retried by the next login rather than remembered.
    pending.catch(() => standIns.delete(ctx));
    standIns.set(ctx, pending);
  }
  return pending;
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

/** What a refresh presents as proof of possession of its session's device key. */
export type RefreshProof =
  | { readonly kind: 'signature'; readonly challenge: string; readonly signature: string }
  | { readonly kind: 'mtls'; readonly peerCertificatePem: string };

/**
 * Proof of possession at refresh: `signature` — the signature over the consumed refresh
 * challenge verifies with the key of the session device's stored certificate; `mtls` — the
 * certificate the TLS layer verified chains to our CA, is not revoked and is that device's current
 * certificate. Only possession is judged here: whether the device may still be used (revoked,
 * expired certificate) is the rotation's check, so the real device learns its session is over
 * while a caller without the key learns nothing.
 */
export async function verifyRefreshProof(
  ctx: ServiceContext,
  device: DeviceRecord | undefined,
  proof: RefreshProof,
): Promise<boolean> {
  if (device === undefined) return false;
  if (proof.kind === 'signature') {
    return verifyChallengeSignature(device.certificatePem, proof.challenge, proof.signature);
  }
  try {
    const info = await verifyClientCertificate(proof.peerCertificatePem, {
      ca: ctx.ca,
      now: nowDate(ctx),
      isRevoked: (serial) => ctx.stores.certificateRevocations.isRevoked(serial),
    });
    return info.fingerprint === device.fingerprint;
  } catch (error) {
    if (error instanceof CertificateError) return false;
    throw error;
  }
}
