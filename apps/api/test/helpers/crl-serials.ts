/**
 * Reads the revoked serial numbers out of a PEM CRL (RFC 5280 §5.1) with a minimal DER walker,
 * independent of the code that wrote it. Serials are returned as BigInts (the device records
 * carry them as hex), so leading zero octets do not matter.
 */

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
  readonly next: number;
}

function tlv(der: Uint8Array, at: number): Tlv {
  const tag = der[at] ?? -1;
  let length = der[at + 1] ?? 0;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] ?? 0);
    start += octets;
  }
  return { tag, start, end: start + length, next: start + length };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; at = out[out.length - 1]?.next ?? parent.end)
    out.push(tlv(der, at));
  return out;
}

/** The serial numbers on `crlPem`'s revokedCertificates list. */
export function crlSerials(crlPem: string): bigint[] {
  const der = Buffer.from(crlPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const certList = tlv(der, 0);
  const [tbs] = children(der, certList);
  if (tbs === undefined) throw new Error('CRL without tbsCertList');
  // tbsCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
  // revokedCertificates is the only SEQUENCE after issuer.
  const fields = children(der, tbs);
  const revoked = fields.slice(3).find((f) => f.tag === 0x30);
  if (revoked === undefined) return [];
  return children(der, revoked).map((entry) => {
    const [serial] = children(der, entry);
    if (serial === undefined || serial.tag !== 0x02) throw new Error('revoked entry without a serial');
    return BigInt(`0x${Buffer.from(der.subarray(serial.start, serial.end)).toString('hex') || '0'}`);
  });
}

/** A hex serial as it appears in device records and API answers. */
export const serialOf = (hex: string): bigint => BigInt(`0x${hex}`);
