/** Validation of the certificate renewal body against {@link RenewCertificateInputSchema}. */
import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithm } from '../auth-config.js';
import { RenewCertificateInputSchema } from '../contracts/device-input-schema.js';
import { InputReader } from './_input-reader.js';
import { readCsr } from './read-csr.js';

/** A renewal body that passed validation. */
export interface ValidRenewal {
  readonly deviceId?: string | undefined;
  readonly csrPem?: string | undefined;
  readonly keyAlgorithm?: CertificateAlgorithm | undefined;
}

/**
 * Validates a raw renewal body (optional).
 *
 * @throws AuthError `VALIDATION_FAILED`
 * @example
 * ```ts
 * validateRenewInput({ device_id: id, key_algorithm: 'ml-dsa-65' });
 * ```
 */
export function validateRenewInput(input: unknown): ValidRenewal {
  const reader = new InputReader(input, RenewCertificateInputSchema, { optionalBody: true });
  const deviceId = reader.string('device_id');
  const csrPem = reader.field('csr', readCsr);
  const keyAlgorithm = reader.oneOf('key_algorithm', CERTIFICATE_ALGORITHMS);
  if (csrPem !== undefined && keyAlgorithm !== undefined) {
    reader.add('key_algorithm', 'CONFLICTING_FIELDS', 'key_algorithm applies only when no csr is sent');
  }
  reader.finish();
  return { deviceId, csrPem, keyAlgorithm };
}
