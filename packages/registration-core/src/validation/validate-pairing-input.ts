/**
 * Validation of the second-device body ({@link PairedDeviceInputSchema}: QR code or token, plus
 * username and password).
 * Missing credentials get their own precise error (`PAIRING_CREDENTIALS_REQUIRED`) rather than
 * a generic first-registration message.
 */
import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithm } from '../auth-config.js';
import { AuthError } from '../auth-error.js';
import {
  PairedDeviceInputSchema,
  PairingTokenRequestInputSchema,
} from '../contracts/pairing-input-schema.js';
import { InputReader } from './_input-reader.js';
import { readCsr } from './read-csr.js';

/** A pairing redemption body that passed validation. */
export interface ValidPairing {
  readonly token: string;
  readonly username: string;
  readonly password: string;
  readonly csrPem?: string | undefined;
  readonly keyAlgorithm?: CertificateAlgorithm | undefined;
  readonly deviceLabel?: string | undefined;
  /** The label the token's issuer put in the QR payload (used when `deviceLabel` is absent). */
  readonly qrDeviceLabel?: string | undefined;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Validates a raw pairing redemption body.
 *
 * @throws AuthError `PAIRING_CREDENTIALS_REQUIRED` when a token is given without username or
 *   password; `VALIDATION_FAILED` for anything else
 * @example
 * ```ts
 * validatePairingInput({ qr_code: payload, username: 'alice', password: 'pw' });
 * ```
 */
export function validatePairingInput(input: unknown): ValidPairing {
  const reader = new InputReader(input, PairedDeviceInputSchema);
  let token: string | undefined;
  let qrDeviceLabel: string | undefined;
  if (reader.has('pairing_token') && reader.has('qr_code')) {
    reader.add('qr_code', 'CONFLICTING_FIELDS', 'send either pairing_token or qr_code, not both');
  } else if (reader.has('qr_code')) {
    const raw = reader.string('qr_code', { required: true });
    if (raw !== undefined) {
      const payload = readQrPayload(raw);
      token = payload?.token;
      qrDeviceLabel = payload?.label;
      if (payload === undefined)
        reader.add('qr_code', 'INVALID_FORMAT', 'qr_code is not a pairing QR payload');
    }
  } else {
    const raw = reader.string('pairing_token', { required: true });
    if (raw !== undefined) {
      if (TOKEN.test(raw.trim())) token = raw.trim();
      else reader.add('pairing_token', 'INVALID_FORMAT', 'pairing_token must be 43 base64url characters');
    }
  }
  const hasToken = reader.has('pairing_token') || reader.has('qr_code');
  const username = reader.string('username', { required: false });
  const password = reader.string('password', { required: false });
  const csrPem = reader.field('csr', readCsr);
  const keyAlgorithm = reader.oneOf('key_algorithm', CERTIFICATE_ALGORITHMS);
  if (csrPem !== undefined && keyAlgorithm !== undefined) {
    reader.add('key_algorithm', 'CONFLICTING_FIELDS', 'key_algorithm applies only when no csr is sent');
  }
  const deviceLabel = reader.text('device_label', 64);
  if (hasToken && (username === undefined || password === undefined) && reader.issues.length === 0) {
    const missing = [
      username === undefined ? 'username' : undefined,
      password === undefined ? 'password' : undefined,
    ].filter((f): f is string => f !== undefined);
    throw new AuthError('PAIRING_CREDENTIALS_REQUIRED', undefined, {
      fields: missing.map((field) => ({
        field,
        code: 'REQUIRED',
        message: `${field} is required to register a device with a pairing token`,
      })),
    });
  }
  if (username === undefined && !reader.issues.some((i) => i.field === 'username'))
    reader.add('username', 'REQUIRED', 'username is required');
  if (password === undefined && !reader.issues.some((i) => i.field === 'password'))
    reader.add('password', 'REQUIRED', 'password is required');
  reader.finish();
  return {
    token: token as string,
    username: (username as string).normalize('NFKC').trim(),
    password: password as string,
    csrPem,
    keyAlgorithm,
    deviceLabel,
    qrDeviceLabel,
  };
}

/**
 * Reads the token (and the optional device label) out of a `city-auth:pair?...` payload, or
 * accepts a bare token. A label that would not pass as `device_label` makes the payload invalid.
 */
function readQrPayload(raw: string): { token: string; label?: string | undefined } | undefined {
  const text = raw.trim();
  if (TOKEN.test(text)) return { token: text };
  const prefix = 'city-auth:pair?';
  if (!text.startsWith(prefix)) return undefined;
  const params = new URLSearchParams(text.slice(prefix.length));
  const token = params.get('token');
  if (token === null || !TOKEN.test(token)) return undefined;
  const rawLabel = params.get('label');
  if (rawLabel === null) return { token };
  const labelReader = new InputReader({ device_label: rawLabel }, PairingTokenRequestInputSchema);
  const label = labelReader.text('device_label', 64);
  return labelReader.issues.length === 0 && label !== undefined ? { token, label } : undefined;
}
