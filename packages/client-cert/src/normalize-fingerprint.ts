/**
 * Normalisation of SHA-256 certificate fingerprints to the canonical form of `certificateFingerprint`
 * (64 lower-case hex characters). Accepted spellings: hex in any case, with or without `:` / whitespace
 * separators between octets, optionally prefixed `sha256:` / `SHA256 Fingerprint=` (OpenSSL's output), and
 * base64url or base64 (RFC 4648) of the 32 octets.
 */
import { CertificateError } from './certificate-error.js';
import { invalidArgument, typeName } from './lib/_guards.js';

const PLAIN_HEX = /^[0-9a-f]{64}$/i;
/** One separator kind throughout (`:` or one whitespace character), as tools print them. */
const SEPARATED_HEX = /^[0-9a-f]{2}([:\s])(?:[0-9a-f]{2}\1){30}[0-9a-f]{2}$/i;
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=?$/;
const PREFIX = /^(?:sha-?256\s*(?:fingerprint)?\s*[:=]\s*)/i;

/**
 * Canonical lower-case hex form of a SHA-256 fingerprint written in any accepted spelling.
 *
 * @throws {CertificateError} `CERT_FINGERPRINT_MALFORMED` when the text is not a 32-octet fingerprint;
 *   `INVALID_ARGUMENT` when `input` is not a string.
 * @example
 * ```ts
 * normalizeFingerprint('AB:CD:…:EF') === normalizeFingerprint('q80…7w'); // same 64 hex chars
 * ```
 */
export function normalizeFingerprint(input: string): string {
  if (typeof input !== 'string') throw invalidArgument(`"input" expected a string, got ${typeName(input)}`);
  if (input.length > 256) throw malformed();
  const text = input.trim().replace(PREFIX, '');
  if (PLAIN_HEX.test(text)) return text.toLowerCase();
  if (SEPARATED_HEX.test(text)) return text.replace(/[:\s]/g, '').toLowerCase();
  if (BASE64URL.test(text) || BASE64.test(text)) {
    const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
    const bytes = Buffer.from(standard, 'base64');
    // Reject non-canonical encodings (non-zero padding bits) so one fingerprint has one base64 spelling.
    if (bytes.length !== 32 || bytes.toString('base64').replace(/=$/, '') !== standard) throw malformed();
    return bytes.toString('hex');
  }
  throw malformed();
}

function malformed(): CertificateError {
  return new CertificateError('CERT_FINGERPRINT_MALFORMED', 'fingerprint is not a SHA-256 fingerprint');
}
