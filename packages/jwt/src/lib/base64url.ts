/**
 * Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
 *
 * Decoding is canonical: only the URL-safe alphabet, no padding, no whitespace, and the encoding
 * of the decoded bytes must reproduce the input exactly (rejects non-zero trailing bits), so one
 * token has exactly one spelling.
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  return bytes.toString('base64url');
}

/** Decodes canonical base64url, or returns undefined for anything else. */
export function decodeBase64url(input: string): Buffer | undefined {
  if (!ALPHABET.test(input) || input.length % 4 === 1) return undefined;
  const bytes = Buffer.from(input, 'base64url');
  if (bytes.toString('base64url') !== input) return undefined;
  return bytes;
}
