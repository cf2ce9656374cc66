/**
 * Issuance writes certificates as DER directly; pkijs is the reference X.509 builder. For every CA algorithm,
 * every subject key algorithm, and both key sources (server-generated, CSR), the certificate returned by
 * `issueClientCertificate` must be byte-for-byte the certificate pkijs builds from the same inputs: CA
 * certificate, UUID, device id, validity, serial, subject public key and the signature value. OpenSSL
 * (`X509Certificate`) verifies every issued certificate as well, so equal bytes also mean a valid signature.
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateSigningRequest } from '../src/create-certificate-signing-request.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type GeneratedKeyPair,
  generateKeyPair,
  type IssuedCertificate,
  issueClientCertificate,
  type KeyAlgorithm,
} from '../src/index.js';
import { pemDer } from './_support.js';

const CA_ALGORITHMS: KeyAlgorithm[] = ['ml-dsa-65', 'ml-dsa-87', 'ecdsa-p256', 'ed25519', 'rsa-3072'];
const SUBJECT_ALGORITHMS: KeyAlgorithm[] = [
  'ml-dsa-44',
  'ml-dsa-65',
  'ml-dsa-87',
  'ecdsa-p256',
  'ed25519',
  'rsa-3072',
];
const SIGNATURE_OIDS: Record<KeyAlgorithm, string> = {
  'ml-dsa-44': '2.16.840.1.101.3.4.3.17',
  'ml-dsa-65': '2.16.840.1.101.3.4.3.18',
  'ml-dsa-87': '2.16.840.1.101.3.4.3.19',
  'ecdsa-p256': '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  'rsa-3072': '1.2.840.113549.1.1.11',
};
const USER_UUID = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
const DEVICE_ID = 'Phone_1.~:@+-x';
const CA_NOW = new Date('2026-06-01T12:00:00Z');

const cas = new Map<KeyAlgorithm, CertificateAuthority>();
const deviceKeys = new Map<KeyAlgorithm, GeneratedKeyPair>();
const csrs = new Map<KeyAlgorithm, string>();
let longLivedCa: CertificateAuthority;
let shortLivedCa: CertificateAuthority;

beforeAll(async () => {
  for (const alg of CA_ALGORITHMS)
    cas.set(alg, await createCertificateAuthority({ algorithm: alg, now: CA_NOW }));
  for (const alg of SUBJECT_ALGORITHMS) {
    const keys = await generateKeyPair(alg);
    deviceKeys.set(alg, keys);
    csrs.set(alg, await createCertificateSigningRequest({ privateKeyPem: keys.privateKeyPem }));
  }
  longLivedCa = await createCertificateAuthority({ now: CA_NOW, validityDays: 36500, commonName: 'Long CA' });
  shortLivedCa = await createCertificateAuthority({ now: CA_NOW, validityDays: 10, algorithm: 'ed25519' });
}, 120_000);

interface ReferenceInputs {
  readonly ca: CertificateAuthority;
  readonly userUuid: string;
  readonly deviceId: string;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spkiDer: Uint8Array;
  readonly signature: Uint8Array;
}

function pkijsTime(date: Date): pkijs.Time {
  const year = date.getUTCFullYear();
  return new pkijs.Time({ type: year >= 1950 && year < 2050 ? 0 : 1, value: date });
}

function pkijsAlgorithm(algorithm: KeyAlgorithm): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    algorithmId: SIGNATURE_OIDS[algorithm],
    ...(algorithm === 'rsa-3072' ? { algorithmParams: new asn1js.Null() } : {}),
  });
}

function pkijsExtension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** The documented client-certificate profile, built entirely with pkijs/asn1js from the given inputs. */
function pkijsCertificate(input: ReferenceInputs): Uint8Array {
  const caCert = pkijs.Certificate.fromBER(pemDer(input.ca.certificatePem));
  const caSki = caCert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString;
  const spki = pkijs.PublicKeyInfo.fromBER(input.spkiDer);
  const ski = createHash('sha256')
    .update(spki.subjectPublicKey.valueBlock.valueHexView)
    .digest()
    .subarray(0, 20);
  const magnitude = Buffer.from(input.serialHex, 'hex');
  const serial = (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  const subject = new asn1js.Sequence({
    value: [
      ['2.5.4.3', input.userUuid.toLowerCase()],
      ['0.9.2342.19200300.100.1.1', input.deviceId],
    ].map(
      ([type, value]) =>
        new asn1js.Set({
          value: [
            new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema(),
          ],
        }),
    ),
  });

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial) });
  cert.signature = pkijsAlgorithm(input.ca.algorithm);
  cert.issuer = caCert.subject;
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(subject.toBER(false));
  cert.notBefore = pkijsTime(input.notBefore);
  cert.notAfter = pkijsTime(input.notAfter);
  cert.subjectPublicKeyInfo = spki;
  cert.extensions = [
    pkijsExtension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    pkijsExtension('2.5.29.15', true, new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 })),
    pkijsExtension(
      '2.5.29.37',
      false,
      new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.2'] }).toSchema(),
    ),
    pkijsExtension('2.5.29.14', false, new asn1js.OctetString({ valueHex: new Uint8Array(ski) })),
    pkijsExtension(
      '2.5.29.35',
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: caSki.valueBlock.valueHexView }),
      }).toSchema(),
    ),
  ];
  cert.signatureAlgorithm = pkijsAlgorithm(input.ca.algorithm);
  cert.signatureValue = new asn1js.BitString({ valueHex: input.signature });
  // toSchema(true) encodes the TBS from the fields above (false would reuse a cached TBS encoding).
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

function spkiDerOfPem(publicKeyPem: string): Uint8Array {
  return new Uint8Array(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

/** Rebuilds `issued` with pkijs from its inputs and expects identical bytes; OpenSSL checks the signature. */
function expectSameAsPkijs(
  issued: IssuedCertificate,
  ca: CertificateAuthority,
  spkiDer: Uint8Array,
  userUuid = USER_UUID,
): void {
  const der = new Uint8Array(pemDer(issued.certificatePem));
  const parsed = pkijs.Certificate.fromBER(der);
  const reference = pkijsCertificate({
    ca,
    userUuid,
    deviceId: DEVICE_ID,
    serialHex: issued.serialNumber,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    spkiDer,
    // Signatures are randomized (ML-DSA hedged, ECDSA); the signature value is the one input taken from the
    // output, and OpenSSL below confirms it signs exactly these TBS bytes.
    signature: new Uint8Array(parsed.signatureValue.valueBlock.valueHexView),
  });
  expect(Buffer.from(der).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
  expect(issued.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
  const x509 = new X509Certificate(issued.certificatePem);
  const caX509 = new X509Certificate(ca.certificatePem);
  expect(x509.verify(caX509.publicKey)).toBe(true);
  expect(x509.checkIssued(caX509)).toBe(true);
}

describe.each(CA_ALGORITHMS)('CA %s: issued bytes equal the pkijs build', (caAlg) => {
  it.each(SUBJECT_ALGORITHMS)('%s key from a CSR', async (alg) => {
    const ca = cas.get(caAlg)!;
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      csrPem: csrs.get(alg)!,
      now: new Date('2026-07-01T08:30:15.999Z'),
    });
    expectSameAsPkijs(issued, ca, spkiDerOfPem(deviceKeys.get(alg)!.publicKeyPem));
  });

  // RSA-3072 key generation is slow: generated RSA keys under two CAs; the CSR matrix covers RSA everywhere.
  const serverGenerated = SUBJECT_ALGORITHMS.filter(
    (alg) => alg !== 'rsa-3072' || caAlg === 'ml-dsa-65' || caAlg === 'rsa-3072',
  );
  it.each(serverGenerated)(
    '%s key generated by the server',
    async (alg) => {
      const ca = cas.get(caAlg)!;
      const issued = await issueClientCertificate({
        ca,
        userUuid: USER_UUID,
        deviceId: DEVICE_ID,
        algorithm: alg,
        now: new Date('2026-07-01T08:30:15Z'),
        validityDays: 30,
      });
      expect(issued.privateKeyPem).toBeDefined();
      expectSameAsPkijs(issued, ca, spkiDerOfPem(issued.privateKeyPem!));
    },
    30_000,
  );
});

describe('validity encodings equal the pkijs build', () => {
  it('GeneralizedTime from 2050 (RFC 5280 4.1.2.5), UTCTime before', async () => {
    const issued = await issueClientCertificate({
      ca: longLivedCa,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ed25519',
      now: new Date('2049-12-31T23:59:59Z'),
      validityDays: 1,
    });
    expect(issued.notAfter).toEqual(new Date('2050-01-01T23:59:59Z'));
    const der = pemDer(issued.certificatePem);
    expect(der.includes(Buffer.from('491231235959Z'))).toBe(true);
    expect(der.includes(Buffer.from('20500101235959Z'))).toBe(true);
    expectSameAsPkijs(issued, longLivedCa, spkiDerOfPem(issued.privateKeyPem!));
  });

  it('a validity clamped to the CA notAfter', async () => {
    const issued = await issueClientCertificate({
      ca: shortLivedCa,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      csrPem: csrs.get('ml-dsa-65')!,
      now: new Date('2026-06-05T00:00:00Z'),
    });
    expect(issued.notAfter).toEqual(new Date('2026-06-11T12:00:00Z'));
    expectSameAsPkijs(issued, shortLivedCa, spkiDerOfPem(deviceKeys.get('ml-dsa-65')!.publicKeyPem));
  });

  it('a CA loaded from another process (fresh object, same PEM) issues the same structure', async () => {
    const ca = cas.get('ml-dsa-65')!;
    const copy = { ...ca, certificatePem: `${ca.certificatePem}` };
    const lower = USER_UUID.toLowerCase();
    const issued = await issueClientCertificate({
      ca: copy,
      userUuid: lower,
      deviceId: DEVICE_ID,
      csrPem: csrs.get('ed25519')!,
    });
    expectSameAsPkijs(issued, ca, spkiDerOfPem(deviceKeys.get('ed25519')!.publicKeyPem), lower);
  });
});
