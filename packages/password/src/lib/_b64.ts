/** The PHC string format's "B64": standard base64 alphabet, no padding, canonical trailing bits. */

const B64 = /^[A-Za-z0-9+/]*$/;

export function encodeB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

/** Returns undefined for anything that is not canonical unpadded base64. */
export function decodeB64(text: string): Buffer | undefined {
  if (!B64.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Buffer's decoder is lenient; a round trip rejects non-zero trailing bits and stray characters.
  return encodeB64(bytes) === text ? bytes : undefined;
}
