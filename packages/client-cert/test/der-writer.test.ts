/**
 * The DER writer behind certificate issuance (X.690 section 10). Expected octets are written out by hand from
 * X.690; asn1js (an independent BER/DER codec) decodes every output back, and pkijs' own time encoding is
 * the reference for the RFC 5280 4.1.2.5 UTCTime/GeneralizedTime split.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derLength,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSingletonSet,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtf8String,
  readDerHeader,
  subjectPublicKeyOfSpki,
  usesGeneralizedTime,
} from '../src/lib/_der.js';
import { timeOf } from '../src/lib/_x509.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Decodes with asn1js and insists on exactly one value spanning all of `der`. */
function decode(der: Uint8Array): asn1js.AsnType {
  const parsed = asn1js.fromBER(der);
  expect(parsed.offset).toBe(der.byteLength);
  expect(parsed.result.error).toBe('');
  return parsed.result;
}

describe('length octets (X.690 8.1.3)', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65535, '82ffff'],
    [65536, '83010000'],
    [16_777_215, '83ffffff'],
    [16_777_216, '8401000000'],
  ])('%i is %s', (length, expected) => {
    expect(hex(derLength(length))).toBe(expected);
  });

  it.each([127, 128, 255, 256, 65535, 65536, 70000])(
    'an OCTET STRING of %i octets round-trips through asn1js with that length',
    (length) => {
      const content = new Uint8Array(length).map((_, i) => i & 0xff);
      const der = derOctetString(content);
      expect(der.byteLength).toBe(1 + derLength(length).byteLength + length);
      const value = decode(der);
      expect(value).toBeInstanceOf(asn1js.OctetString);
      expect(Buffer.from((value as asn1js.OctetString).valueBlock.valueHexView).equals(content)).toBe(true);
      expect(readDerHeader(der, 0)).toEqual({
        tag: 0x04,
        start: der.byteLength - length,
        end: der.byteLength,
      });
    },
  );

  it.each([-1, 1.5, Number.NaN, 2 ** 53])('refuses length %d', (length) => {
    expect(() => derLength(length)).toThrow(RangeError);
  });

  it('concatenates contents under one tag in one value', () => {
    expect(hex(derTlv(0x30, Uint8Array.of(1, 2), Uint8Array.of(3)))).toBe('3003010203');
    expect(hex(derSequence())).toBe('3000');
  });
});

describe('INTEGER (X.690 8.3)', () => {
  it.each([
    [0, '020100'],
    [1, '020101'],
    [2, '020102'],
    [127, '02017f'],
    [128, '02020080'],
    [255, '020200ff'],
    [256, '02020100'],
    [32767, '02027fff'],
    [32768, '0203008000'],
    [Number.MAX_SAFE_INTEGER, '02071fffffffffffff'],
  ])('%i is %s', (value, expected) => {
    const der = derUnsignedInteger(value);
    expect(hex(der)).toBe(expected);
    expect((decode(der) as asn1js.Integer).toBigInt()).toBe(BigInt(value));
  });

  it('prefixes 0x00 when the magnitude has its high bit set, so the value stays positive', () => {
    const magnitude = Uint8Array.from(Buffer.from('80112233445566778899aabbccddeeff', 'hex'));
    const der = derUnsignedInteger(magnitude);
    expect(hex(der)).toBe('02110080112233445566778899aabbccddeeff');
    expect((decode(der) as asn1js.Integer).toBigInt()).toBe(BigInt('0x80112233445566778899aabbccddeeff'));
    expect(hex(derUnsignedInteger(Uint8Array.of(0x7f, 0xff)))).toBe('02027fff');
  });

  it('drops redundant leading zero octets and encodes an empty or all-zero magnitude as 0', () => {
    expect(hex(derUnsignedInteger(Uint8Array.of(0, 0, 1)))).toBe('020101');
    expect(hex(derUnsignedInteger(Uint8Array.of(0, 0x80)))).toBe('02020080');
    expect(hex(derUnsignedInteger(Uint8Array.of(0, 0)))).toBe('020100');
    expect(hex(derUnsignedInteger(new Uint8Array(0)))).toBe('020100');
  });

  it.each([-1, -128, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %d', (value) => {
    expect(() => derUnsignedInteger(value)).toThrow(RangeError);
  });

  it('refuses a value that is neither a number nor bytes', () => {
    expect(() => derUnsignedInteger('1' as unknown as number)).toThrow(TypeError);
  });
});

describe('OBJECT IDENTIFIER (X.690 8.19)', () => {
  it.each([
    ['2.5.4.3', '0603550403'],
    ['0.9.2342.19200300.100.1.1', '060a0992268993f22c640101'],
    ['1.2.840.113549.1.1.11', '06092a864886f70d01010b'],
    ['2.16.840.1.101.3.4.3.18', '0609608648016503040312'],
    ['1.3.101.112', '06032b6570'],
    ['2.999.3', '0603883703'],
  ])('%s is %s and matches asn1js', (oid, expected) => {
    const der = derObjectIdentifier(oid);
    expect(hex(der)).toBe(expected);
    expect(hex(new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER(false)))).toBe(expected);
    expect((decode(der) as asn1js.ObjectIdentifier).valueBlock.toString()).toBe(oid);
  });

  it.each(['', '1', '3.1', '1.40', '0.40', '1.2.', '1..2', '1.02', 'a.b', '1.2 '])('refuses %j', (oid) => {
    expect(() => derObjectIdentifier(oid)).toThrow(RangeError);
  });
});

describe('certificate times (RFC 5280 4.1.2.5)', () => {
  it.each([
    ['1949-12-31T23:59:59Z', '180f31393439313233313233353935395a'],
    ['1950-01-01T00:00:00Z', '170d3530303130313030303030305a'],
    ['2026-06-01T12:00:00Z', '170d3236303630313132303030305a'],
    ['2049-12-31T23:59:59Z', '170d3439313233313233353935395a'],
    ['2050-01-01T00:00:00Z', '180f32303530303130313030303030305a'],
    ['2126-02-03T04:05:06Z', '180f32313236303230333034303530365a'],
  ])('%s is %s', (iso, expected) => {
    const date = new Date(iso);
    const der = derTime(date);
    expect(hex(der)).toBe(expected);
    const decoded = decode(der);
    expect(decoded).toBeInstanceOf(usesGeneralizedTime(date) ? asn1js.GeneralizedTime : asn1js.UTCTime);
    expect((decoded as asn1js.UTCTime).toDate()).toEqual(date);
  });

  it('switches to GeneralizedTime exactly at 2050-01-01T00:00:00Z, as pkijs does for the same rule', () => {
    const last = new Date('2049-12-31T23:59:59Z');
    const first = new Date('2050-01-01T00:00:00Z');
    expect(derTime(last)[0]).toBe(0x17);
    expect(derTime(first)[0]).toBe(0x18);
    for (const date of [last, first, new Date('1950-01-01T00:00:00Z'), new Date('1949-12-31T23:59:59Z')]) {
      expect(hex(derTime(date))).toBe(hex(new Uint8Array(timeOf(date).toSchema().toBER(false))));
    }
  });

  it('refuses fractional seconds, invalid dates and years outside 0000-9999', () => {
    expect(() => derTime(new Date('2026-06-01T12:00:00.500Z'))).toThrow(RangeError);
    expect(() => derTime(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => derTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => derTime('2026-06-01' as unknown as Date)).toThrow(TypeError);
  });
});

describe('other universal types', () => {
  it('BIT STRING carries its unused-bit count and refuses set unused bits', () => {
    expect(hex(derBitString(Uint8Array.of(0x80), 7))).toBe('03020780');
    expect(hex(derBitString(Uint8Array.of(0xde, 0xad)))).toBe('030300dead');
    const decoded = decode(derBitString(Uint8Array.of(0x80), 7)) as asn1js.BitString;
    expect(decoded.valueBlock.unusedBits).toBe(7);
    expect(() => derBitString(Uint8Array.of(0x81), 7)).toThrow(RangeError);
    expect(() => derBitString(new Uint8Array(0), 1)).toThrow(RangeError);
    expect(() => derBitString(Uint8Array.of(0), 8)).toThrow(RangeError);
  });

  it('BOOLEAN, NULL, UTF8String, SET and context tags', () => {
    expect(hex(derBoolean(true))).toBe('0101ff');
    expect(hex(derBoolean(false))).toBe('010100');
    expect(hex(derNull())).toBe('0500');
    const text = derUtf8String('Zürich');
    expect(hex(text)).toBe('0c075ac3bc72696368');
    expect((decode(text) as asn1js.Utf8String).valueBlock.value).toBe('Zürich');
    expect(hex(derSingletonSet(derNull()))).toBe('31020500');
    expect(hex(derExplicit(0, derUnsignedInteger(2)))).toBe('a003020102');
    expect(hex(derExplicit(3, derSequence()))).toBe('a3023000');
    expect(() => derExplicit(31, derNull())).toThrow(RangeError);
  });
});

describe('subjectPublicKey of an SPKI', () => {
  it.each(['ml-dsa-65', 'ed25519', 'ec', 'rsa'] as const)('%s: the same bits pkijs reads', (type) => {
    const { publicKey } =
      type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 1024 })
          : generateKeyPairSync(type as 'ed25519');
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const expected = pkijs.PublicKeyInfo.fromBER(spki).subjectPublicKey.valueBlock.valueHexView;
    expect(hex(subjectPublicKeyOfSpki(spki))).toBe(hex(expected));
  });

  it('refuses truncated, trailing and mistagged input', () => {
    const spki = new Uint8Array(
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(() => subjectPublicKeyOfSpki(spki.subarray(0, spki.byteLength - 1))).toThrow(RangeError);
    expect(() => subjectPublicKeyOfSpki(Uint8Array.of(...spki, 0))).toThrow(RangeError);
    const mistagged = Uint8Array.from(spki);
    mistagged[0] = 0x31;
    expect(() => subjectPublicKeyOfSpki(mistagged)).toThrow(RangeError);
    expect(() => subjectPublicKeyOfSpki(new Uint8Array(0))).toThrow(RangeError);
    expect(() => subjectPublicKeyOfSpki(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff))).toThrow(
      RangeError,
    );
  });
});
