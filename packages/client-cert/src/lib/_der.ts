/**
 * A minimal DER writer (ITU-T X.690 section 10, distinguished encoding) for the few universal types an X.509
 * certificate needs, plus the one reader issuance needs (the subjectPublicKey of an SPKI). Certificate
 * issuance assembles its TBSCertificate from precomputed DER pieces with these, instead of building an
 * asn1js/pkijs object tree and encoding it, which cost more than the ML-DSA signature itself. Every writer
 * takes values in the form DER fixes (minimal lengths, minimal non-negative INTEGERs, whole-second times),
 * and rejects what DER cannot express rather than encoding it differently.
 */

export const TAG = Object.freeze({
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
});

/** Definite-form length octets (X.690 8.1.3): short form below 128, else the fewest big-endian octets. */
export function derLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`"length" expected a non-negative safe integer, got ${length}`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** One TLV: `tag` (a single identifier octet), the length, then `contents` concatenated, in one allocation. */
export function derTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of contents) length += part.byteLength;
  const lengthOctets = derLength(length);
  const out = new Uint8Array(1 + lengthOctets.byteLength + length);
  out[0] = tag;
  out.set(lengthOctets, 1);
  let offset = 1 + lengthOctets.byteLength;
  for (const part of contents) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export function derSequence(...elements: readonly Uint8Array[]): Uint8Array {
  return derTlv(TAG.sequence, ...elements);
}

/** SET OF with a single element (sets of several would need their elements sorted, X.690 11.6). */
export function derSingletonSet(element: Uint8Array): Uint8Array {
  return derTlv(TAG.set, element);
}

/** Explicit context-specific tag `[number]` around already-encoded elements (constructed). */
export function derExplicit(number: number, ...elements: readonly Uint8Array[]): Uint8Array {
  if (!Number.isInteger(number) || number < 0 || number > 30) {
    throw new RangeError(`"number" expected a context tag number 0 to 30, got ${number}`);
  }
  return derTlv(0xa0 | number, ...elements);
}

/**
 * A non-negative INTEGER (X.690 8.3): from a safe integer, or from big-endian magnitude octets. Leading zero
 * octets are dropped and one 0x00 is prepended when the high bit is set, so the value never reads as negative.
 */
export function derUnsignedInteger(value: number | Uint8Array): Uint8Array {
  let magnitude: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`"value" expected a non-negative safe integer, got ${value}`);
    }
    const octets: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    magnitude = Uint8Array.from(octets);
  } else if (value instanceof Uint8Array) {
    let start = 0;
    while (start < value.byteLength && value[start] === 0) start++;
    magnitude = value.subarray(start);
  } else {
    throw new TypeError('"value" expected a number or a Uint8Array');
  }
  if (magnitude.byteLength === 0) return Uint8Array.of(TAG.integer, 1, 0);
  const first = magnitude[0] ?? 0;
  return first & 0x80 ? derTlv(TAG.integer, Uint8Array.of(0), magnitude) : derTlv(TAG.integer, magnitude);
}

const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** OBJECT IDENTIFIER from dotted text (X.690 8.19): first two arcs combined, base-128 subidentifiers. */
export function derObjectIdentifier(oid: string): Uint8Array {
  if (typeof oid !== 'string' || !OID_PATTERN.test(oid)) {
    throw new RangeError(`"oid" expected dotted decimal object identifier text, got ${String(oid)}`);
  }
  const arcs = oid.split('.').map(BigInt);
  const [first = 0n, second = 0n] = arcs;
  if (first < 2n && second > 39n) throw new RangeError(`"oid" second arc must be below 40, got ${oid}`);
  const octets: number[] = [];
  for (const arc of [first * 40n + second, ...arcs.slice(2)]) {
    const groups = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) groups.unshift(Number(rest & 0x7fn) | 0x80);
    octets.push(...groups);
  }
  return derTlv(TAG.objectIdentifier, Uint8Array.from(octets));
}

/** RFC 5280 4.1.2.5: UTCTime covers 1950 through 2049; every other year takes GeneralizedTime. */
export function usesGeneralizedTime(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year < 1950 || year >= 2050;
}

/**
 * A certificate time (RFC 5280 4.1.2.5): UTCTime `YYMMDDHHMMSSZ` for 1950–2049, GeneralizedTime
 * `YYYYMMDDHHMMSSZ` otherwise, always UTC and without fractional seconds, which the profile forbids.
 */
export function derTime(date: Date): Uint8Array {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError('"date" expected a valid Date');
  }
  if (date.getTime() % 1000 !== 0) throw new RangeError('"date" must be a whole second (RFC 5280 4.1.2.5)');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`"date" year must be 0000 to 9999, got ${year}`);
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(
    date.getUTCMinutes(),
  )}${two(date.getUTCSeconds())}Z`;
  return usesGeneralizedTime(date)
    ? derTlv(TAG.generalizedTime, ascii(`${String(year).padStart(4, '0')}${rest}`))
    : derTlv(TAG.utcTime, ascii(`${two(year % 100)}${rest}`));
}

/** BIT STRING (X.690 8.6): the unused-bits octet, then the bits; unused trailing bits must be zero in DER. */
export function derBitString(bits: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) {
    throw new RangeError(`"unusedBits" expected 0 to 7, got ${unusedBits}`);
  }
  if (unusedBits > 0) {
    const last = bits[bits.byteLength - 1];
    if (last === undefined) throw new RangeError('"unusedBits" must be 0 for an empty BIT STRING');
    if (last & ((1 << unusedBits) - 1)) throw new RangeError('unused bits of a DER BIT STRING must be zero');
  }
  return derTlv(TAG.bitString, Uint8Array.of(unusedBits), bits);
}

export function derOctetString(octets: Uint8Array): Uint8Array {
  return derTlv(TAG.octetString, octets);
}

export function derUtf8String(text: string): Uint8Array {
  return derTlv(TAG.utf8String, new Uint8Array(Buffer.from(text, 'utf8')));
}

/** BOOLEAN TRUE is 0xFF in DER (X.690 11.1). */
export function derBoolean(value: boolean): Uint8Array {
  return Uint8Array.of(TAG.boolean, 1, value ? 0xff : 0x00);
}

export function derNull(): Uint8Array {
  return Uint8Array.of(TAG.null, 0);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

interface DerHeader {
  readonly tag: number;
  /** Offset of the first content octet. */
  readonly start: number;
  /** Offset just past the last content octet. */
  readonly end: number;
}

/** Tag and content bounds of the single-octet-tag, definite-length TLV at `offset`, within `limit`. */
export function readDerHeader(der: Uint8Array, offset: number, limit = der.byteLength): DerHeader {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || offset + 2 > limit || (tag & 0x1f) === 0x1f) {
    throw new RangeError('truncated or unsupported DER header');
  }
  let start = offset + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new RangeError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new RangeError('DER value overruns its container');
  return { tag, start, end };
}

/**
 * The subjectPublicKey bits of a SubjectPublicKeyInfo (RFC 5280 4.1): SEQUENCE { AlgorithmIdentifier,
 * BIT STRING }. Read without a full parse because the SPKI comes from OpenSSL or an already-verified CSR.
 */
export function subjectPublicKeyOfSpki(spkiDer: Uint8Array): Uint8Array {
  const outer = readDerHeader(spkiDer, 0);
  if (outer.tag !== TAG.sequence || outer.end !== spkiDer.byteLength) throw new RangeError('not an SPKI');
  const algorithm = readDerHeader(spkiDer, outer.start, outer.end);
  if (algorithm.tag !== TAG.sequence) throw new RangeError('not an SPKI');
  const key = readDerHeader(spkiDer, algorithm.end, outer.end);
  if (key.tag !== TAG.bitString || key.end !== outer.end || key.start >= key.end) {
    throw new RangeError('not an SPKI');
  }
  return spkiDer.subarray(key.start + 1, key.end);
}
