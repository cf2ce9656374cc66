/** PEM armour (RFC 7468, strict profile): one block of the expected label, standard base64 only. */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The DER inside the first PEM block labelled `label`, or undefined when there is none or it is not base64. */
export function pemToDer(pem: string, label: string): Uint8Array | undefined {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = pem.indexOf(begin);
  if (start < 0) return undefined;
  const stop = pem.indexOf(end, start + begin.length);
  if (stop < 0) return undefined;
  const body = pem.slice(start + begin.length, stop).replace(/\s+/g, '');
  if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) return undefined;
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** PEM text for `der`, 64-character lines, trailing newline. */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
