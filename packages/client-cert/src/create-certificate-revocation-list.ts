/**
 * X.509 v2 certificate revocation list per RFC 5280 section 5: signed by the CA key (ML-DSA per FIPS 204 /
 * RFC 9881, or the CA's classical algorithm), issuer = CA subject, thisUpdate/nextUpdate, one entry per
 * revoked serial with an optional reasonCode entry extension, and the authorityKeyIdentifier and cRLNumber
 * CRL extensions RFC 5280 requires of conforming CAs.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CertificateAuthority } from './create-certificate-authority.js';
import { signBytes } from './lib/_algorithms.js';
import { resolveAuthorityWithKey } from './lib/_authority.js';
import { assertObject, assertOptionalDate, assertPositiveInteger, invalidArgument } from './lib/_guards.js';
import { derToPem } from './lib/_pem.js';
import {
  algorithmIdentifier,
  extension,
  OID,
  serialFromHex,
  signStructure,
  timeOf,
  wholeSeconds,
} from './lib/_x509.js';

/** RFC 5280 5.3.1 CRLReason values (8 is unused). */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const REASON_CODES: Readonly<Record<RevocationReason, number>> = Object.freeze({
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
});

/** One revoked certificate. */
export interface RevokedCertificateEntry {
  /** Lower- or upper-case hex serial (as `IssuedCertificate.serialNumber`), at most 20 octets. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  /** An RFC 5280 CRLReason name; omitted means no reasonCode extension. */
  readonly reason?: string;
}

/** Options for {@link createCertificateRevocationList}. */
export interface CreateCertificateRevocationListOptions {
  readonly ca: CertificateAuthority;
  readonly revoked: readonly RevokedCertificateEntry[];
  readonly now?: Date;
  /** Hours until nextUpdate; default 24. */
  readonly nextUpdateHours?: number;
}

/**
 * Creates a signed CRL (PEM) listing `revoked`.
 *
 * @throws {CertificateError} `INVALID_ARGUMENT` for a bad serial, date, reason or option; CA problems as in
 *   `loadCertificateAuthority`.
 * @example
 * ```ts
 * const crlPem = await createCertificateRevocationList({
 *   ca, revoked: [{ serialNumber: issued.serialNumber, revokedAt: new Date(), reason: 'keyCompromise' }],
 * });
 * ```
 */
export async function createCertificateRevocationList(
  options: CreateCertificateRevocationListOptions,
): Promise<string> {
  assertObject(options, 'options');
  const now = wholeSeconds(assertOptionalDate(options.now, 'options.now'));
  const hours = assertPositiveInteger(options.nextUpdateHours, 'options.nextUpdateHours', 24, 24 * 366);
  if (!Array.isArray(options.revoked)) throw invalidArgument('"options.revoked" expected an array');
  const ca = resolveAuthorityWithKey(options.ca, 'options.ca');

  const entries = options.revoked.map((entry: unknown, i) => revokedEntry(entry, `options.revoked[${i}]`));
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.signature = algorithmIdentifier(ca.algorithm);
  crl.issuer = ca.cert.subject;
  crl.thisUpdate = timeOf(now);
  crl.nextUpdate = timeOf(new Date(now.getTime() + hours * 3_600_000));
  // RFC 5280 5.1.2.6: when there are no revoked certificates the field is absent, not an empty SEQUENCE.
  if (entries.length > 0) crl.revokedCertificates = entries;
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      extension(
        OID.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: ca.keyIdentifier }),
        }).toSchema(),
      ),
      // Seconds since the epoch: monotonic across CRLs issued by one clock, as cRLNumber must be.
      extension(OID.crlNumber, false, new asn1js.Integer({ value: Math.floor(now.getTime() / 1000) })),
    ],
  });
  const der = signStructure(crl, ca.algorithm, (tbs) => signBytes(ca.algorithm, ca.privateKey, tbs));
  return derToPem(der, 'X509 CRL');
}

function revokedEntry(entry: unknown, name: string): pkijs.RevokedCertificate {
  assertObject(entry, name);
  const { serialNumber, revokedAt, reason } = entry;
  if (typeof serialNumber !== 'string' || !/^[0-9a-fA-F]{1,40}$/.test(serialNumber)) {
    throw invalidArgument(`"${name}.serialNumber" expected 1 to 40 hex digits`);
  }
  if (!(revokedAt instanceof Date) || Number.isNaN(revokedAt.getTime())) {
    throw invalidArgument(`"${name}.revokedAt" expected a valid Date`);
  }
  let reasonCode: number | undefined;
  if (reason !== undefined) {
    if (typeof reason !== 'string' || !Object.hasOwn(REASON_CODES, reason)) {
      throw invalidArgument(`"${name}.reason" expected one of ${Object.keys(REASON_CODES).join(', ')}`);
    }
    reasonCode = REASON_CODES[reason as RevocationReason];
  }
  return new pkijs.RevokedCertificate({
    userCertificate: serialFromHex(serialNumber.toLowerCase().replace(/^0+(?=.)/, '')).integer,
    revocationDate: timeOf(wholeSeconds(revokedAt)),
    ...(reasonCode !== undefined
      ? {
          crlEntryExtensions: new pkijs.Extensions({
            extensions: [extension(OID.crlReason, false, new asn1js.Enumerated({ value: reasonCode }))],
          }),
        }
      : {}),
  });
}
