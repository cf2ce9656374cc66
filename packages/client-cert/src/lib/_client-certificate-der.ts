/**
 * DER encoding of the client certificates this package issues (RFC 5280 section 4.1, profile in the README),
 * assembled from pieces instead of a pkijs object tree: everything fixed per CA (signature AlgorithmIdentifier,
 * issuer Name as the CA encodes its subject, authorityKeyIdentifier) and the extensions that never change are
 * encoded once and cached against the resolved CA; per certificate only the serial, validity, subject and
 * subjectKeyIdentifier are encoded, and the SPKI goes in exactly as OpenSSL (or the verified CSR) produced it.
 * The output is the byte sequence pkijs produces for the same fields; a test holds the two paths equal.
 */
import { createHash } from 'node:crypto';
import type { KeyAlgorithm } from '../key-algorithm.js';
import { SIGNATURE_PROFILES } from './_algorithms.js';
import type { ResolvedAuthority } from './_authority.js';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSingletonSet,
  derTime,
  derUnsignedInteger,
  derUtf8String,
  subjectPublicKeyOfSpki,
} from './_der.js';
import { KEY_USAGE, OID } from './_x509.js';

/** Fields of one client certificate; times are whole seconds, the serial is its positive magnitude. */
export interface ClientCertificateFields {
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject CN, already in the form it is certified in (lower-case UUID). */
  readonly commonName: string;
  /** Subject UID (the device id). */
  readonly userId: string;
  readonly spkiDer: Uint8Array;
}

interface IssuerPieces {
  readonly signatureAlgorithm: Uint8Array;
  readonly issuer: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array;
}

/** v3: `[0] EXPLICIT INTEGER 2`. */
const VERSION_V3 = derExplicit(0, derUnsignedInteger(2));
const COMMON_NAME = derObjectIdentifier(OID.commonName);
const USER_ID = derObjectIdentifier(OID.userId);
const SUBJECT_KEY_IDENTIFIER = derObjectIdentifier(OID.subjectKeyIdentifier);
/** basicConstraints cA=FALSE (critical): the DEFAULT FALSE is omitted, leaving an empty SEQUENCE (X.690 11.5). */
const BASIC_CONSTRAINTS = extension(OID.basicConstraints, true, derSequence());
const KEY_USAGE_DIGITAL_SIGNATURE = extension(
  OID.keyUsage,
  true,
  derBitString(Uint8Array.of(KEY_USAGE.digitalSignature), 7),
);
const EXT_KEY_USAGE_CLIENT_AUTH = extension(
  OID.extKeyUsage,
  false,
  derSequence(derObjectIdentifier(OID.clientAuth)),
);

const signatureAlgorithms = new Map<KeyAlgorithm, Uint8Array>();
const issuerPieces = new WeakMap<ResolvedAuthority, IssuerPieces>();

/** AlgorithmIdentifier DER a signature by `algorithm` is labelled with (RFC 4055 NULL parameters for RSA). */
export function signatureAlgorithmDer(algorithm: KeyAlgorithm): Uint8Array {
  let der = signatureAlgorithms.get(algorithm);
  if (der === undefined) {
    const profile = SIGNATURE_PROFILES[algorithm];
    const oid = derObjectIdentifier(profile.oid);
    der = profile.nullParameters ? derSequence(oid, derNull()) : derSequence(oid);
    signatureAlgorithms.set(algorithm, der);
  }
  return der;
}

/** The TBSCertificate DER of a client certificate issued by `ca`. */
export function encodeClientCertificateTbs(
  ca: ResolvedAuthority,
  fields: ClientCertificateFields,
): Uint8Array {
  const pieces = piecesOf(ca);
  const subjectKeyIdentifier = derSequence(
    SUBJECT_KEY_IDENTIFIER,
    derOctetString(derOctetString(keyIdentifierOfSpki(fields.spkiDer))),
  );
  return derSequence(
    VERSION_V3,
    derUnsignedInteger(fields.serial),
    pieces.signatureAlgorithm,
    pieces.issuer,
    derSequence(derTime(fields.notBefore), derTime(fields.notAfter)),
    derSequence(
      derSingletonSet(derSequence(COMMON_NAME, derUtf8String(fields.commonName))),
      derSingletonSet(derSequence(USER_ID, derUtf8String(fields.userId))),
    ),
    fields.spkiDer,
    derExplicit(
      3,
      derSequence(
        BASIC_CONSTRAINTS,
        KEY_USAGE_DIGITAL_SIGNATURE,
        EXT_KEY_USAGE_CLIENT_AUTH,
        subjectKeyIdentifier,
        pieces.authorityKeyIdentifier,
      ),
    ),
  );
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function wrapSignedCertificate(
  ca: ResolvedAuthority,
  tbs: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  return derSequence(tbs, piecesOf(ca).signatureAlgorithm, derBitString(signature));
}

/** RFC 7093 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING value. */
export function keyIdentifierOfSpki(spkiDer: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(subjectPublicKeyOfSpki(spkiDer)).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, 20);
}

function piecesOf(ca: ResolvedAuthority): IssuerPieces {
  let pieces = issuerPieces.get(ca);
  if (pieces === undefined) {
    pieces = Object.freeze({
      signatureAlgorithm: signatureAlgorithmDer(ca.algorithm),
      // The CA subject exactly as the CA certificate encodes it, so issuer and subject compare byte for byte.
      issuer: ca.subjectDer,
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
      authorityKeyIdentifier: extension(
        OID.authorityKeyIdentifier,
        false,
        derSequence(implicitKeyIdentifier(ca.keyIdentifier)),
      ),
    });
    issuerPieces.set(ca, pieces);
  }
  return pieces;
}

function implicitKeyIdentifier(keyIdentifier: Uint8Array): Uint8Array {
  const octetString = derOctetString(keyIdentifier);
  octetString[0] = 0x80;
  return octetString;
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? derSequence(derObjectIdentifier(oid), derBoolean(true), derOctetString(value))
    : derSequence(derObjectIdentifier(oid), derOctetString(value));
}
