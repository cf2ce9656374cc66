/**
 * Validation of the registration body against {@link RegisterInputSchema}: every field checked,
 * every problem reported at once under its own name, unknown fields refused.
 */
import { checkPasswordPolicy } from '@city/password';
import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithm } from '../auth-config.js';
import { RegisterInputSchema } from '../contracts/register-input-schema.js';
import { InputReader } from './_input-reader.js';
import { readCsr } from './read-csr.js';
import { validateBirthDate } from './validate-birth-date.js';
import { type NormalizedEmail, validateEmail } from './validate-email.js';
import { validateMyNumber } from './validate-my-number.js';
import { validatePhone } from './validate-phone.js';
import { type NormalizedUsername, validateUsername } from './validate-username.js';

/** A registration body that passed validation, normalised. */
export interface ValidRegistration {
  readonly username: NormalizedUsername;
  readonly email: NormalizedEmail;
  /** NFKC form of the password (what gets hashed). */
  readonly password: string;
  readonly name?: string | undefined;
  /** `YYYY-MM-DD`. */
  readonly birthDate?: string | undefined;
  readonly address?: string | undefined;
  /** 12 digits. */
  readonly mynumber?: string | undefined;
  /** E.164. */
  readonly phone?: string | undefined;
  readonly initialHarmonyToken: number;
  readonly csrPem?: string | undefined;
  readonly keyAlgorithm?: CertificateAlgorithm | undefined;
  readonly deviceLabel?: string | undefined;
  /** Import password of a PKCS#12 bundle of the server-generated key (P-256 or RSA only). */
  readonly pkcs12Password?: string | undefined;
}

/**
 * Validates a raw registration body.
 *
 * @param input - the untrusted JSON body
 * @param now - the clock, for "birth date not in the future"
 * @throws AuthError `VALIDATION_FAILED` with one FieldIssue per bad field
 * @example
 * ```ts
 * const valid = validateRegisterInput({ username: 'alice', email: 'a@example.com', password: 'correct horse battery' });
 * ```
 */
export function validateRegisterInput(input: unknown, now: Date = new Date()): ValidRegistration {
  const reader = new InputReader(input, RegisterInputSchema);
  const username = reader.field('username', validateUsername);
  const email = reader.field('email', validateEmail);
  const rawPassword = reader.string('password');
  let password: string | undefined;
  if (rawPassword !== undefined) {
    const policy = checkPasswordPolicy(rawPassword, {
      ...(username === undefined ? {} : { username: username.key }),
      ...(email === undefined ? {} : { email: email.canonical }),
    });
    if (policy.ok) password = policy.normalized;
    else reader.add('password', policy.code, policy.message);
  }
  const name = reader.text('name', 100);
  const birthDate = reader.field('birth_date', (v) => validateBirthDate(v, now));
  const address = reader.text('address', 200);
  const mynumber = reader.field('mynumber', validateMyNumber);
  const phone = reader.field('phone', validatePhone);
  const initialHarmonyToken = reader.integer('initial_harmony_token', { allowString: true });
  const csrPem = reader.field('csr', readCsr);
  const keyAlgorithm = reader.oneOf('key_algorithm', CERTIFICATE_ALGORITHMS);
  if (csrPem !== undefined && keyAlgorithm !== undefined) {
    reader.add(
      'key_algorithm',
      'CONFLICTING_FIELDS',
      'key_algorithm applies only when no csr is sent (the CSR fixes the algorithm)',
    );
  }
  const deviceLabel = reader.text('device_label', 64);
  const pkcs12Password = reader.string('pkcs12_password');
  if (pkcs12Password === '') reader.add('pkcs12_password', 'TOO_SHORT', 'pkcs12_password must not be empty');
  if (pkcs12Password !== undefined && csrPem !== undefined) {
    reader.add(
      'pkcs12_password',
      'CONFLICTING_FIELDS',
      'pkcs12_password applies only when no csr is sent (with a CSR the key never leaves the device)',
    );
  }
  reader.finish();
  // finish() threw if any required field was missing, so these are defined here.
  return {
    username: username as NormalizedUsername,
    email: email as NormalizedEmail,
    password: password as string,
    name,
    birthDate,
    address,
    mynumber,
    phone,
    initialHarmonyToken: initialHarmonyToken ?? 0,
    csrPem,
    keyAlgorithm,
    deviceLabel,
    pkcs12Password,
  };
}
