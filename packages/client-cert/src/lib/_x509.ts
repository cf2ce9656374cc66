/**
 * X.509 building blocks on top of pkijs (RFC 5280): names, times, serials, key identifiers, extensions,
 * and signing/parsing of the three signed structures (Certificate, CertificationRequest per RFC 2986,
 * CertificateList). pkijs builds and parses the ASN.1; the signature is computed by `node:crypto` over the
 * exact TBS bytes, because pkijs' engine signs through WebCrypto and does not know ML-DSA (RFC 9881).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateError } from '../certificate-error.js';
import type { KeyAlgorithm } from '../key-algorithm.js';
import { SIGNATURE_PROFILES } from './_algorithms.js';
import { usesGeneralizedTime } from './_der.js';
import { pemToDer } from './_pem.js';

export const OID = Object.freeze({
  commonName: '2.5.4.3',
  organizationalUnit: '2.5.4.11',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  serialNumber: '2.5.4.5',
  userId: '0.9.2342.19200300.100.1.1',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  clientAuth: '1.3.6.1.5.5.7.3.2',
});

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  [OID.commonName]: 'CN',
  [OID.organizationalUnit]: 'OU',
  [OID.organization]: 'O',
  [OID.country]: 'C',
  [OID.serialNumber]: 'serialNumber',
  [OID.userId]: 'UID',
});

/** KeyUsage bits (RFC 5280 4.2.1.3) as they appear in the first content octet. */
export const KEY_USAGE = Object.freeze({ digitalSignature: 0x80, keyCertSign: 0x04, cRLSign: 0x02 });

export function algorithmIdentifier(algorithm: KeyAlgorithm): pkijs.AlgorithmIdentifier {
  const profile = SIGNATURE_PROFILES[algorithm];
  return new pkijs.AlgorithmIdentifier({
    algorithmId: profile.oid,
    ...(profile.nullParameters ? { algorithmParams: new asn1js.Null() } : {}),
  });
}

/**
 * True when `id` is exactly the identifier `algorithm` signs with: same OID, and parameters absent (RSA:
 * NULL, or absent as some encoders emit). Comparing against the signer's key algorithm closes algorithm
 * confusion: a certificate cannot pick the verification algorithm.
 */
export function isSignatureAlgorithm(id: pkijs.AlgorithmIdentifier, algorithm: KeyAlgorithm): boolean {
  const profile = SIGNATURE_PROFILES[algorithm];
  if (id.algorithmId !== profile.oid) return false;
  const params: unknown = id.algorithmParams;
  if (params === undefined) return true;
  return profile.nullParameters && params instanceof asn1js.Null;
}

/** A Name with one attribute per RDN (pkijs would put them all in one multi-valued RDN). */
export function buildName(
  attributes: readonly (readonly [string, string])[],
): pkijs.RelativeDistinguishedNames {
  const name = new asn1js.Sequence({
    value: attributes.map(
      ([type, value]) =>
        new asn1js.Set({
          value: [
            new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema(),
          ],
        }),
    ),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER(false));
}

export interface NameAttribute {
  readonly type: string;
  readonly value: string;
}

export function readName(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((atv) => {
    const block = (atv.value as { valueBlock?: { value?: unknown } }).valueBlock;
    const value = typeof block?.value === 'string' ? block.value : '';
    return { type: atv.type, value };
  });
}

/** RFC 4514-style text (in encoding order) for display and logs. */
export function nameToString(attributes: readonly NameAttribute[]): string {
  return attributes
    .map(({ type, value }) => `${ATTRIBUTE_NAMES[type] ?? type}=${escapeAttributeValue(value)}`)
    .join(', ');
}

function escapeAttributeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ')
    .replace(/[^ -~\u0080-\uffff]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Whole seconds: RFC 5280 forbids fractional seconds in certificate times. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** UTCTime for 1950 through 2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5). */
export function timeOf(date: Date): pkijs.Time {
  return new pkijs.Time({ type: usesGeneralizedTime(date) ? 1 : 0, value: date });
}

export interface Serial {
  /** DER INTEGER content octets (positive, minimal). */
  readonly integer: asn1js.Integer;
  /** Lower-case hex of the magnitude, no sign padding. */
  readonly hex: string;
}

/** 128 random bits from the CSPRNG, encoded as a positive minimal INTEGER (RFC 5280 4.1.2.2). */
export function randomSerial(): Serial {
  return serialFromHex(randomSerialBytes().toString('hex'));
}

/** The 16 magnitude octets of a {@link randomSerial}, never starting with a zero octet. */
export function randomSerialBytes(): Buffer {
  let bytes = randomBytes(16);
  // A leading zero octet would make the minimal encoding shorter than 128 bits; draw again (p = 1/256).
  while (bytes[0] === 0) bytes = randomBytes(16);
  return bytes;
}

export function serialFromHex(hex: string): Serial {
  const magnitude = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  const content = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return {
    integer: new asn1js.Integer({ valueHex: new Uint8Array(content) }),
    hex: magnitude.toString('hex'),
  };
}

/** Lower-case hex magnitude of a DER INTEGER serial (leading zero octets dropped). */
export function serialToHex(integer: asn1js.Integer): string {
  const hex = Buffer.from(integer.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+/, '');
  return hex.length === 0 ? '00' : hex;
}

export function publicKeyInfoFromSpki(spkiDer: Uint8Array): pkijs.PublicKeyInfo {
  return pkijs.PublicKeyInfo.fromBER(spkiDer);
}

/** RFC 7093 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha256').update(bits).digest().subarray(0, 20));
}

export function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

export function keyUsageValue(bits: number): asn1js.BitString {
  let unusedBits = 0;
  while (unusedBits < 7 && (bits & (1 << unusedBits)) === 0) unusedBits++;
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]), unusedBits });
}

interface SignedStructure {
  tbsView: Uint8Array;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: asn1js.BitString;
  toSchema(encodeFlag?: boolean): asn1js.Sequence;
}

/**
 * Signs a pkijs structure whose inner algorithm identifier is already set: encodes the TBS once, signs those
 * exact bytes with `node:crypto`, and wraps them as SEQUENCE { tbs, signatureAlgorithm, signature } directly,
 * because pkijs' `toSchema(false)` would re-parse the TBS it just encoded (the ML-DSA key and signature make
 * that the largest parse in an issuance).
 */
export function signStructure(
  structure: SignedStructure,
  algorithm: KeyAlgorithm,
  signer: (tbs: Uint8Array) => Uint8Array,
): Uint8Array {
  const signatureAlgorithm = algorithmIdentifier(algorithm);
  structure.signatureAlgorithm = signatureAlgorithm;
  // encodeTBS is protected on some pkijs classes; toSchema(true) re-encodes the TBS as its first element.
  const tbsBlock = structure.toSchema(true).valueBlock.value[0];
  if (tbsBlock === undefined) throw new Error('pkijs produced no TBS');
  const tbs = new Uint8Array(tbsBlock.toBER(false));
  const signatureValue = new asn1js.BitString({ valueHex: signer(tbs) });
  structure.tbsView = tbs;
  structure.signatureValue = signatureValue;
  return derSequence([
    tbs,
    new Uint8Array(signatureAlgorithm.toSchema().toBER(false)),
    new Uint8Array(signatureValue.toBER(false)),
  ]);
}

/** DER SEQUENCE (tag 0x30, definite length per X.690 8.1.3) around already-encoded elements. */
function derSequence(elements: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const element of elements) length += element.byteLength;
  const lengthOctets: number[] = [];
  if (length < 0x80) {
    lengthOctets.push(length);
  } else {
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets.unshift(rest & 0xff);
    lengthOctets.unshift(0x80 | lengthOctets.length);
  }
  const out = new Uint8Array(1 + lengthOctets.length + length);
  out[0] = 0x30;
  out.set(lengthOctets, 1);
  let offset = 1 + lengthOctets.length;
  for (const element of elements) {
    out.set(element, offset);
    offset += element.byteLength;
  }
  return out;
}

/** DER of one complete ASN.1 value, or undefined when `der` is not exactly one well-formed value. */
export function isSingleDerValue(der: Uint8Array): boolean {
  const parsed = asn1js.fromBER(der);
  return parsed.offset === der.byteLength && parsed.result.error === '';
}

/** Certificate DER from PEM text or DER bytes; `CERT_MALFORMED` for anything else. */
export function certificateDer(input: unknown, name: string): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.byteLength === 0 || input.byteLength > 48 * 1024) {
      throw new CertificateError('CERT_MALFORMED', `"${name}" is not a DER certificate`);
    }
    return new Uint8Array(input);
  }
  if (typeof input !== 'string') {
    throw new CertificateError('INVALID_ARGUMENT', `"${name}" expected a PEM string or DER bytes`);
  }
  if (input.length === 0 || input.length > 64 * 1024) {
    throw new CertificateError('CERT_MALFORMED', `"${name}" is not a PEM certificate`);
  }
  const der = pemToDer(input, 'CERTIFICATE');
  if (der === undefined) throw new CertificateError('CERT_MALFORMED', `"${name}" is not a PEM certificate`);
  return der;
}

/** A parsed certificate; `CERT_MALFORMED` for anything pkijs rejects or trailing bytes. */
export function parseCertificate(der: Uint8Array, name = 'certificate'): pkijs.Certificate {
  try {
    // One ASN.1 parse serves both the trailing-bytes check and pkijs (Certificate.fromBER would parse again).
    const parsed = asn1js.fromBER(der);
    if (parsed.offset !== der.byteLength || parsed.result.error !== '') {
      throw new Error('not a single DER value');
    }
    const cert = new pkijs.Certificate({ schema: parsed.result });
    if (cert.tbsView.byteLength === 0) throw new Error('empty TBS');
    return cert;
  } catch (cause) {
    throw new CertificateError('CERT_MALFORMED', `"${name}" is not a well-formed X.509 certificate`, {
      cause,
    });
  }
}

export interface CertificateExtensions {
  readonly basicConstraints?: { readonly cA: boolean; readonly critical: boolean };
  readonly keyUsage?: number;
  readonly extKeyUsage?: readonly string[];
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly authorityKeyIdentifier?: Uint8Array;
}

/** The extensions this package relies on; duplicated extensions are malformed (RFC 5280 4.2). */
export function readExtensions(cert: pkijs.Certificate): CertificateExtensions {
  const seen = new Set<string>();
  const out: {
    basicConstraints?: { cA: boolean; critical: boolean };
    keyUsage?: number;
    extKeyUsage?: string[];
    subjectKeyIdentifier?: Uint8Array;
    authorityKeyIdentifier?: Uint8Array;
  } = {};
  for (const ext of cert.extensions ?? []) {
    if (seen.has(ext.extnID))
      throw new CertificateError('CERT_MALFORMED', 'certificate repeats an extension');
    seen.add(ext.extnID);
    const parsed: unknown = ext.parsedValue;
    switch (ext.extnID) {
      case OID.basicConstraints:
        if (!(parsed instanceof pkijs.BasicConstraints)) throw malformedExtension();
        out.basicConstraints = { cA: parsed.cA === true, critical: ext.critical };
        break;
      case OID.keyUsage:
        if (!(parsed instanceof asn1js.BitString)) throw malformedExtension();
        out.keyUsage = parsed.valueBlock.valueHexView[0] ?? 0;
        break;
      case OID.extKeyUsage:
        if (!(parsed instanceof pkijs.ExtKeyUsage)) throw malformedExtension();
        out.extKeyUsage = [...parsed.keyPurposes];
        break;
      case OID.subjectKeyIdentifier:
        if (!(parsed instanceof asn1js.OctetString)) throw malformedExtension();
        out.subjectKeyIdentifier = new Uint8Array(parsed.valueBlock.valueHexView);
        break;
      case OID.authorityKeyIdentifier:
        if (!(parsed instanceof pkijs.AuthorityKeyIdentifier)) throw malformedExtension();
        if (parsed.keyIdentifier) {
          out.authorityKeyIdentifier = new Uint8Array(parsed.keyIdentifier.valueBlock.valueHexView);
        }
        break;
      default:
        // Unknown critical extensions must make the certificate unusable (RFC 5280 4.2).
        if (ext.critical)
          throw new CertificateError('CERT_USAGE_INVALID', 'certificate has an unknown critical extension');
    }
  }
  return out;
}

function malformedExtension(): CertificateError {
  return new CertificateError('CERT_MALFORMED', 'certificate has a malformed extension');
}

export function spkiDerOfCertificate(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
}
