/**
 * Issues a device certificate (from the device's CSR, or with a server-generated key returned
 * once), stores its body in the blob store, and shapes what the client gets back.
 */
import { CertificateError, type IssuedCertificate, issueClientCertificate } from '@city/client-cert';
import type { CertificateAlgorithm } from '../auth-config.js';
import { AuthError } from '../auth-error.js';
import type { IssuedDeviceCertificate } from '../auth-service.js';
import { nowDate, type ServiceContext } from './_service-context.js';

export async function issueDeviceCertificate(
  ctx: ServiceContext,
  input: {
    userUuid: string;
    deviceId: string;
    csrPem?: string | undefined;
    algorithm?: CertificateAlgorithm | undefined;
  },
): Promise<IssuedCertificate> {
  let issued: IssuedCertificate;
  try {
    issued = await issueClientCertificate({
      ca: ctx.ca,
      userUuid: input.userUuid,
      deviceId: input.deviceId,
      validityDays: ctx.config.certificateValidityDays,
      now: nowDate(ctx),
      ...(input.csrPem === undefined
        ? { algorithm: input.algorithm ?? ctx.config.defaultCertificateAlgorithm }
        : { csrPem: input.csrPem }),
    });
  } catch (error) {
    if (error instanceof CertificateError) {
      if (error.code === 'KEY_ALGORITHM_UNSUPPORTED') {
        throw new AuthError('KEY_ALGORITHM_UNSUPPORTED', undefined, { cause: error });
      }
      if (
        error.code === 'CSR_MALFORMED' ||
        error.code === 'CSR_SIGNATURE_INVALID' ||
        error.code === 'KEY_MALFORMED'
      ) {
        throw new AuthError('CERTIFICATE_REQUEST_INVALID', undefined, {
          cause: error,
          fields: [{ field: 'csr', code: error.code, message: csrIssueMessage(error.code) }],
        });
      }
    }
    throw error;
  }
  if (!(ctx.config.allowedCertificateAlgorithms as readonly string[]).includes(issued.algorithm)) {
    throw new AuthError(
      'KEY_ALGORITHM_UNSUPPORTED',
      `key algorithm ${issued.algorithm} is not accepted here`,
    );
  }
  return issued;
}

/** Puts the certificate body into the blob store; returns its key. */
export async function storeCertificateBody(
  ctx: ServiceContext,
  userUuid: string,
  deviceId: string,
  issued: IssuedCertificate,
): Promise<string> {
  return ctx.stores.certificates.put({
    userUuid,
    deviceId,
    serialNumber: issued.serialNumber,
    pem: issued.certificatePem,
    json: {
      uuid: userUuid,
      device_id: deviceId,
      serial_number: issued.serialNumber,
      fingerprint: issued.fingerprint,
      algorithm: issued.algorithm,
      not_before: issued.notBefore.toISOString(),
      not_after: issued.notAfter.toISOString(),
      issuer_fingerprint: ctx.ca.fingerprint,
    },
  });
}

export function certificateQrPayload(userUuid: string, deviceId: string, fingerprint: string): string {
  const params = new URLSearchParams({ v: '1', uuid: userUuid, device: deviceId, fp: fingerprint });
  return `city-auth:cert?${params.toString()}`;
}

export function toIssuedDeviceCertificate(
  ctx: ServiceContext,
  userUuid: string,
  deviceId: string,
  issued: IssuedCertificate,
): IssuedDeviceCertificate {
  return {
    deviceId,
    certificatePem: issued.certificatePem,
    certificateBase64: Buffer.from(issued.certificatePem, 'utf8').toString('base64'),
    fingerprint: issued.fingerprint,
    serialNumber: issued.serialNumber,
    algorithm: issued.algorithm,
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
    ...(issued.privateKeyPem === undefined ? {} : { privateKeyPem: issued.privateKeyPem }),
    caCertificatePem: ctx.ca.certificatePem,
    qrPayload: certificateQrPayload(userUuid, deviceId, issued.fingerprint),
  };
}

function csrIssueMessage(code: string): string {
  return code === 'CSR_SIGNATURE_INVALID' ? 'the CSR signature does not verify' : 'the CSR could not be read';
}
