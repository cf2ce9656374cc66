/**
 * Enrolling a device for an account: its certificate is issued (the CSR checked before anything
 * is spent), the one-time credential that allows it is spent, then the certificate body and the
 * device record are stored. Pairing and account recovery enrol this way; registration builds the
 * same device record alongside the new user.
 */
import type { IssuedCertificate } from '@city/client-cert';
import type { DeviceRecord } from '@city/ports';
import type { CertificateAlgorithm } from '../auth-config.js';
import { issueDeviceCertificate, storeCertificateBody } from './_issue-device-certificate.js';
import { rethrowPortError } from './_port-errors.js';
import { type ServiceContext, stripUndefined } from './_service-context.js';

/** The record of a new active device holding a freshly issued certificate. */
export function newDeviceRecord(fields: {
  readonly userUuid: string;
  readonly deviceId: string;
  readonly issued: IssuedCertificate;
  readonly certificateKey: string;
  readonly label: string | undefined;
  readonly createdAt: number;
  readonly pairedFromDeviceId?: string | undefined;
}): DeviceRecord {
  return stripUndefined({
    deviceId: fields.deviceId,
    userUuid: fields.userUuid,
    fingerprint: fields.issued.fingerprint,
    serialNumber: fields.issued.serialNumber,
    certificatePem: fields.issued.certificatePem,
    algorithm: fields.issued.algorithm,
    certificateKey: fields.certificateKey,
    label: fields.label,
    status: 'active' as const,
    createdAt: fields.createdAt,
    notAfter: fields.issued.notAfter.getTime(),
    pairedFromDeviceId: fields.pairedFromDeviceId,
  });
}

/** What {@link enrolDevice} needs to know about the new device. */
export interface DeviceEnrolment {
  readonly userUuid: string;
  readonly csrPem?: string | undefined;
  readonly algorithm?: CertificateAlgorithm | undefined;
  readonly label: string | undefined;
  readonly pairedFromDeviceId?: string | undefined;
}

/**
 * Issues the device's certificate, runs `spend` (consuming the pairing token or recovery code; it
 * throws to refuse, and then nothing is stored), then stores the certificate body and the device.
 * Answers the new device's id, its certificate and what `spend` answered.
 */
export async function enrolDevice<T>(
  ctx: ServiceContext,
  enrolment: DeviceEnrolment,
  spend: () => Promise<T>,
): Promise<{ readonly deviceId: string; readonly issued: IssuedCertificate; readonly spent: T }> {
  const deviceId = ctx.random.uuid();
  const issued = await issueDeviceCertificate(ctx, {
    userUuid: enrolment.userUuid,
    deviceId,
    csrPem: enrolment.csrPem,
    algorithm: enrolment.algorithm,
  });
  const spent = await spend();
  const certificateKey = await storeCertificateBody(ctx, enrolment.userUuid, deviceId, issued);
  try {
    await ctx.stores.devices.create(
      newDeviceRecord({
        userUuid: enrolment.userUuid,
        deviceId,
        issued,
        certificateKey,
        label: enrolment.label,
        createdAt: ctx.clock.now(),
        pairedFromDeviceId: enrolment.pairedFromDeviceId,
      }),
    );
  } catch (error) {
    // A fresh certificate cannot clash with a registered one except through a concurrent write.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  return { deviceId, issued, spent };
}
