/**
 * A bounded memo of what is a pure function of a certificate's bytes (RFC 5280 4.1: the DER fixes every
 * field, the subject key and the issuer's signature), so a login that checks the same stored device
 * certificate again does not re-parse it with pkijs/asn1js nor re-verify the CA signature over it.
 *
 * Keyed by the exact PEM text (strings are immutable; DER byte arrays could change in place after a check,
 * so they are never memoised). Only certificates that parse are memoised: a failed parse throws afresh on
 * every call, from the same code, with the same error. Nothing that depends on time or state is kept here:
 * the validity window against `now`, the revocation lookup and the CA itself are checked on every call by
 * the callers. The CA signature verdict is kept per resolved CA object (a WeakMap on the frozen
 * `ResolvedAuthority`, one object per CA certificate), so a certificate checked under one CA says nothing
 * about any other CA. Entries are evicted oldest-used first.
 */
import type { CertificateInfo } from '../certificate-info.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../key-algorithm.js';
import { verifyBytes } from './_algorithms.js';
import type { ResolvedAuthority } from './_authority.js';
import { certificateInfo } from './_info.js';
import { type ParsedKey, parseSpkiDer } from './_keys.js';
import {
  certificateDer,
  isSignatureAlgorithm,
  KEY_USAGE,
  OID,
  parseCertificate,
  readExtensions,
  spkiDerOfCertificate,
} from './_x509.js';

/**
 * The client-certificate profile of a v3 certificate whose extensions and description could be read;
 * everything `verifyClientCertificate` needs besides the CA, `now` and the revocation lookup.
 */
export interface MemoisedProfile {
  /** Frozen; callers hand out copies (its Dates are mutable objects). */
  readonly info: CertificateInfo;
  readonly serialNumber: string;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** cA=FALSE, keyUsage digitalSignature and EKU id-kp-clientAuth. */
  readonly clientAuth: boolean;
  readonly issuerDer: Uint8Array;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** Key algorithms whose signature identifier both the outer and the TBS AlgorithmIdentifier are. */
  readonly signatureAlgorithms: ReadonlySet<KeyAlgorithm>;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

export interface MemoisedCertificate {
  /** The subject SPKI DER, kept to rebuild the exact parse error when the key is not supported. */
  readonly spkiDer: Uint8Array;
  /** The subject public key, or undefined when `parseSpkiDer` rejects it. */
  readonly key: ParsedKey | undefined;
  /** Undefined when the certificate is not v3 or its extensions or description do not read. */
  readonly profile: MemoisedProfile | undefined;
  /** CA signature verdicts (issuer name, AKI, algorithm identifiers, signature) per resolved CA. */
  readonly verdicts: WeakMap<ResolvedAuthority, boolean>;
}

/**
 * About 18 KiB per ML-DSA-65 entry (PEM key, TBS, signature, key, description): ~18 MiB when full. A
 * miss only costs the unmemoised path, so the bound is sized for the devices logging in at once.
 */
export const MAX_MEMOISED_CERTIFICATES = 1024;

/** A least-recently-used bounded map from exact PEM text to the certificate's memoised facts. */
export class CertificateMemo {
  readonly #entries = new Map<string, MemoisedCertificate>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * The memoised facts of the certificate in `pem`; parses and memoises on a miss.
   * @throws {CertificateError} as `certificateDer` and `parseCertificate` (never memoised).
   */
  get(pem: string, name: string): MemoisedCertificate {
    const hit = this.#entries.get(pem);
    if (hit !== undefined) {
      // Re-insert so eviction takes the least recently used entry, not the oldest inserted.
      this.#entries.delete(pem);
      this.#entries.set(pem, hit);
      return hit;
    }
    const certificate = readCertificate(pem, name);
    if (this.#entries.size >= this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(pem, certificate);
    return certificate;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The process-wide memo used by `verifyClientCertificate` and `verifyChallengeSignature`. */
export const certificateMemo = new CertificateMemo(MAX_MEMOISED_CERTIFICATES);

/**
 * True when `ca` issued `certificate`: issuer name and AKI match the CA, both signature identifiers are
 * the CA key's, and the CA signature over the TBS verifies. Memoised per CA object.
 */
export function isIssuedBy(certificate: MemoisedCertificate, ca: ResolvedAuthority): boolean {
  const known = certificate.verdicts.get(ca);
  if (known !== undefined) return known;
  const profile = certificate.profile;
  const verdict =
    profile !== undefined &&
    Buffer.from(profile.issuerDer).equals(ca.subjectDer) &&
    (profile.authorityKeyIdentifier === undefined ||
      Buffer.from(profile.authorityKeyIdentifier).equals(Buffer.from(ca.keyIdentifier))) &&
    profile.signatureAlgorithms.has(ca.algorithm) &&
    verifyBytes(ca.algorithm, ca.publicKey, profile.tbs, profile.signature);
  certificate.verdicts.set(ca, verdict);
  return verdict;
}

function readCertificate(pem: string, name: string): MemoisedCertificate {
  const der = certificateDer(pem, name);
  const cert = parseCertificate(der, name);
  const spkiDer = spkiDerOfCertificate(cert);
  let key: ParsedKey | undefined;
  try {
    key = Object.freeze(parseSpkiDer(spkiDer));
  } catch {
    key = undefined;
  }
  let profile: MemoisedProfile | undefined;
  if (cert.version === 2) {
    try {
      const ext = readExtensions(cert);
      const info = certificateInfo(cert, der);
      profile = Object.freeze({
        info: Object.freeze(info),
        serialNumber: info.serialNumber,
        notBeforeMs: cert.notBefore.value.getTime(),
        notAfterMs: cert.notAfter.value.getTime(),
        clientAuth:
          ext.basicConstraints !== undefined &&
          !ext.basicConstraints.cA &&
          ext.keyUsage !== undefined &&
          (ext.keyUsage & KEY_USAGE.digitalSignature) !== 0 &&
          ext.extKeyUsage?.includes(OID.clientAuth) === true,
        issuerDer: new Uint8Array(cert.issuer.toSchema().toBER(false)),
        authorityKeyIdentifier: ext.authorityKeyIdentifier,
        signatureAlgorithms: new Set(
          KEY_ALGORITHMS.filter(
            (algorithm) =>
              isSignatureAlgorithm(cert.signatureAlgorithm, algorithm) &&
              isSignatureAlgorithm(cert.signature, algorithm),
          ),
        ),
        tbs: new Uint8Array(cert.tbsView),
        signature: new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
      });
    } catch {
      // The unmemoised path throws the same error again, built by the same code.
      profile = undefined;
    }
  }
  return Object.freeze({ spkiDer, key, profile, verdicts: new WeakMap<ResolvedAuthority, boolean>() });
}
