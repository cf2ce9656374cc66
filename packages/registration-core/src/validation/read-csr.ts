/**
 * Shape check of a PKCS#10 (RFC 2986) request in PEM (RFC 7468 label `CERTIFICATE REQUEST`);
 * the signature and contents are checked when the certificate is issued.
 */
import { type FieldResult, fail, pass } from './_field-result.js';

const CSR_PEM =
  /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

/**
 * Checks that `value` is one PEM certificate request.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * readCsr(pem); // { ok: true, value: pem }
 * ```
 */
export function readCsr(value: string): FieldResult<string> {
  const trimmed = value.trim();
  if (!CSR_PEM.test(`${trimmed}\n`)) {
    return fail('INVALID_FORMAT', 'csr must be a PEM "CERTIFICATE REQUEST"');
  }
  return pass(`${trimmed}\n`);
}
