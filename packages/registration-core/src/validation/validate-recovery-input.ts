/**
 * Validation of the account recovery body ({@link RecoverAccountInputSchema}): username, password and one recovery code, plus the
 * new device's key (a CSR, or a key algorithm for a server-generated key) and label. The code is
 * read forgivingly (case, spaces, hyphens, Crockford look-alikes) and refused only when it
 * cannot be a recovery code at all: its format is public, so saying so tells nothing.
 */
import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithm } from '../auth-config.js';
import { RecoverAccountInputSchema } from '../contracts/recovery-input-schema.js';
import { canonicalRecoveryCode } from '../lib/_recovery-codes.js';
import { fail, pass } from './_field-result.js';
import { InputReader } from './_input-reader.js';
import { readCsr } from './read-csr.js';

/** A recovery body that passed validation. */
export interface ValidRecovery {
  readonly username: string;
  readonly password: string;
  /** The code in canonical form (16 Crockford base32 characters). */
  readonly recoveryCode: string;
  readonly csrPem?: string | undefined;
  readonly keyAlgorithm?: CertificateAlgorithm | undefined;
  readonly deviceLabel?: string | undefined;
}

/**
 * Validates a raw recovery body.
 *
 * @throws AuthError `VALIDATION_FAILED` listing every bad field
 * @example
 * ```ts
 * validateRecoveryInput({ username: 'alice', password: 'pw', recovery_code: '7K3M-Q9TB-X2HD-R8WN' });
 * ```
 */
export function validateRecoveryInput(input: unknown): ValidRecovery {
  const reader = new InputReader(input, RecoverAccountInputSchema);
  const username = reader.string('username');
  const password = reader.string('password');
  const recoveryCode = reader.field('recovery_code', (raw) => {
    const code = canonicalRecoveryCode(raw);
    return code === undefined
      ? fail(
          'INVALID_FORMAT',
          'recovery_code must be a recovery code: 16 letters and digits, like XXXX-XXXX-XXXX-XXXX',
        )
      : pass(code);
  });
  const csrPem = reader.field('csr', readCsr);
  const keyAlgorithm = reader.oneOf('key_algorithm', CERTIFICATE_ALGORITHMS);
  if (csrPem !== undefined && keyAlgorithm !== undefined) {
    reader.add('key_algorithm', 'CONFLICTING_FIELDS', 'key_algorithm applies only when no csr is sent');
  }
  const deviceLabel = reader.text('device_label', 64);
  reader.finish();
  return {
    username: (username as string).normalize('NFKC').trim(),
    password: password as string,
    recoveryCode: recoveryCode as string,
    csrPem,
    keyAlgorithm,
    deviceLabel,
  };
}
