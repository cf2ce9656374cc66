/**
 * PKCS#12 (RFC 7292) export of a client certificate and its private key for OS/browser key stores.
 * Key bag: PKCS8ShroudedKeyBag encrypted with PBES2 (RFC 8018) = PBKDF2-HMAC-SHA256 + AES-256-CBC; certificate
 * bags unencrypted (they are public); integrity: HMAC-SHA256 MAC (64-octet random salt) with the RFC 7292 Appendix B KDF, as
 * OpenSSL 3 writes by default. Only ECDSA P-256 and RSA-3072 are exported: PKCS#12 readers in the field
 * (OpenSSL < 3.5, Windows, macOS, browsers) cannot import ML-DSA (FIPS 204) or Ed25519 keys.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateError } from './certificate-error.js';
import { spkiDerOf } from './lib/_algorithms.js';
import { assertObject, assertString, invalidArgument } from './lib/_guards.js';
import { parsePrivateKeyPem } from './lib/_keys.js';
import { certificateDer, parseCertificate, spkiDerOfCertificate } from './lib/_x509.js';

/** PBKDF2 and MAC-KDF iteration count: both derive from the same password, so both resist guessing alike. */
const ITERATIONS = 100_000;
const PKCS8_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const FRIENDLY_NAME = '1.2.840.113549.1.9.20';

/** Input for {@link exportPkcs12}. */
export interface ExportPkcs12Input {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Added as a second certificate bag so importers can build the chain. */
  readonly caCertificatePem?: string;
  /** Import password (1–1024 characters, UTF-8). */
  readonly password: string;
}

/**
 * Builds a password-protected PKCS#12 (`.p12`) file with the certificate, its key and optionally the CA.
 *
 * @throws {CertificateError} `CERT_PKCS12_UNSUPPORTED` for ML-DSA and Ed25519 keys; `KEY_MALFORMED` when the
 *   key is unreadable or is not the certificate's key; `CERT_MALFORMED` for bad certificates;
 *   `INVALID_ARGUMENT` for a bad password or wrong types.
 * @example
 * ```ts
 * const p12 = await exportPkcs12({ certificatePem, privateKeyPem, caCertificatePem: ca.certificatePem, password });
 * await writeFile('device.p12', p12);
 * ```
 */
export async function exportPkcs12(input: ExportPkcs12Input): Promise<Uint8Array> {
  assertObject(input, 'input');
  assertString(input.password, 'input.password', 1024);
  const certDer = certificateDer(input.certificatePem, 'input.certificatePem');
  const cert = parseCertificate(certDer, 'input.certificatePem');
  const { key, algorithm } = parsePrivateKeyPem(input.privateKeyPem, 'input.privateKeyPem');
  if (algorithm !== 'ecdsa-p256' && algorithm !== 'rsa-3072') {
    throw new CertificateError(
      'CERT_PKCS12_UNSUPPORTED',
      `PKCS#12 export is not offered for ${algorithm} keys`,
    );
  }
  if (!Buffer.from(spkiDerOf(key)).equals(Buffer.from(spkiDerOfCertificate(cert)))) {
    throw new CertificateError('KEY_MALFORMED', '"input.privateKeyPem" does not match the certificate');
  }
  const caCert =
    input.caCertificatePem === undefined
      ? undefined
      : parseCertificate(
          certificateDer(input.caCertificatePem, 'input.caCertificatePem'),
          'input.caCertificatePem',
        );

  const password = new TextEncoder().encode(input.password).buffer as ArrayBuffer;
  if (password.byteLength === 0) throw invalidArgument('"input.password" must not be empty');
  // localKeyId pairs the key with its certificate in importers (Windows, macOS, NSS).
  const localKeyId = new Uint8Array(createHash('sha256').update(certDer).digest().subarray(0, 20));
  const bagAttributes = [
    new pkijs.Attribute({ type: LOCAL_KEY_ID, values: [new asn1js.OctetString({ valueHex: localKeyId })] }),
    new pkijs.Attribute({
      type: FRIENDLY_NAME,
      values: [new asn1js.BmpString({ value: 'City Chain Auth' })],
    }),
  ];

  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(key.export({ format: 'der', type: 'pkcs8' })),
  });
  await keyBag.makeInternalValues({
    password,
    contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 },
    hmacHashAlgorithm: 'SHA-256',
    iterationCount: ITERATIONS,
  });
  const safeBags = [
    new pkijs.SafeBag({ bagId: PKCS8_SHROUDED_KEY_BAG, bagValue: keyBag, bagAttributes }),
    new pkijs.SafeBag({ bagId: CERT_BAG, bagValue: new pkijs.CertBag({ parsedValue: cert }), bagAttributes }),
    ...(caCert
      ? [new pkijs.SafeBag({ bagId: CERT_BAG, bagValue: new pkijs.CertBag({ parsedValue: caCert }) })]
      : []),
  ];
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: { safeContents: [{ privacyMode: 0, value: new pkijs.SafeContents({ safeBags }) }] },
      }),
    },
  });
  await pfx.parsedValue?.authenticatedSafe?.makeInternalValues({ safeContents: [{}] });
  await pfx.makeInternalValues({
    password,
    iterations: ITERATIONS,
    pbkdf2HashAlgorithm: 'SHA-256',
    hmacHashAlgorithm: 'SHA-256',
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}
