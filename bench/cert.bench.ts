/**
 * Certificate issuance: a fresh ML-DSA-65 key pair (FIPS 204) plus an X.509 v3 client certificate
 * (RFC 5280, ML-DSA identifiers per RFC 9881) signed by an ML-DSA-65 CA.
 *
 * Ours: @city/client-cert `issueClientCertificate` (native node:crypto keygen and signature, pkijs
 * for the ASN.1). Peer: the same certificate built the same way with pkijs, but key generation and
 * the CA signature done by @noble/post-quantum `ml_dsa65` (pure JS). Both outputs are checked by
 * OpenSSL (`X509Certificate.verify`) before timing, and both return the private key as PKCS#8 PEM.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomUUID,
  sign,
  X509Certificate,
} from 'node:crypto';
import { createCertificateAuthority, generateKeyPair, issueClientCertificate } from '@city/client-cert';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { timeSequential } from './lib/measure.ts';
import { report } from './lib/report.ts';

const ITERATIONS = Number(process.env.BENCH_CERT_ITERATIONS ?? 60);
const ML_DSA_65_OID = '2.16.840.1.101.3.4.3.18';

const ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65', commonName: 'Bench Root CA' });
const caPublicKey = createPublicKey(createPrivateKey(ca.privateKeyPem));

// The peer signs with the very same CA key: its 32-byte FIPS 204 seed, taken from the JWK export.
const caJwk = createPrivateKey(ca.privateKeyPem).export({ format: 'jwk' }) as { priv?: string };
if (caJwk.priv === undefined) throw new Error('CA private key export has no seed');
const caNoble = ml_dsa65.keygen(new Uint8Array(Buffer.from(caJwk.priv, 'base64url')));
const caCert = pkijs.Certificate.fromBER(new X509Certificate(ca.certificatePem).raw);
const caSki = (() => {
  const ext = caCert.extensions?.find((e) => e.extnID === '2.5.29.14');
  const value = ext?.parsedValue as asn1js.OctetString | undefined;
  if (value === undefined) throw new Error('CA has no subject key identifier');
  return new Uint8Array(value.valueBlock.valueHexView);
})();

function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.length % 65 === 0 ? '' : '\n'}-----END ${label}-----\n`;
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** The peer path: noble keygen + noble signature, pkijs structure identical to @city/client-cert's profile. */
function issueWithNoble(userUuid: string, deviceId: string) {
  const seed = new Uint8Array(randomBytes(32));
  const keys = ml_dsa65.keygen(seed);
  const spki = new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: ML_DSA_65_OID }),
    subjectPublicKey: new asn1js.BitString({ valueHex: keys.publicKey }),
  });
  let serial = randomBytes(16);
  while (serial[0] === 0) serial = randomBytes(16);
  const serialContent = (serial[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serialContent) });
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ML_DSA_65_OID });
  cert.issuer = caCert.subject;
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(
    new asn1js.Sequence({
      value: [
        ['2.5.4.3', userUuid],
        ['0.9.2342.19200300.100.1.1', deviceId],
      ].map(
        ([type, value]) =>
          new asn1js.Set({
            value: [
              new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema(),
            ],
          }),
      ),
    }).toBER(false),
  );
  cert.notBefore = new pkijs.Time({ type: 0, value: now });
  cert.notAfter = new pkijs.Time({ type: 0, value: new Date(now.getTime() + 365 * 86_400_000) });
  cert.subjectPublicKeyInfo = spki;
  const ski = createHash('sha256').update(keys.publicKey).digest().subarray(0, 20);
  cert.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    extension('2.5.29.15', true, new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 })),
    extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.2'] }).toSchema()),
    extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: new Uint8Array(ski) })),
    extension(
      '2.5.29.35',
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: caSki }),
      }).toSchema(),
    ),
  ];
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ML_DSA_65_OID });
  const tbsBlock = cert.toSchema(true).valueBlock.value[0];
  if (tbsBlock === undefined) throw new Error('pkijs produced no TBS');
  const tbs = new Uint8Array(tbsBlock.toBER(false));
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: ml_dsa65.sign(tbs, caNoble.secretKey) });
  const der = new Uint8Array(cert.toSchema(false).toBER(false));
  // PKCS#8 in the RFC 9881 seed-only form: OneAsymmetricKey { 0, AlgorithmIdentifier, [0] seed }.
  const pkcs8 = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: ML_DSA_65_OID })] }),
      new asn1js.OctetString({
        valueHex: new Uint8Array(Buffer.concat([Buffer.from([0x80, 0x20]), seed])),
      }),
    ],
  }).toBER(false);
  return {
    certificatePem: derToPem(der, 'CERTIFICATE'),
    privateKeyPem: derToPem(new Uint8Array(pkcs8), 'PRIVATE KEY'),
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

// Correctness first: OpenSSL must accept both certificates under the CA and parse both private keys.
const userUuid = randomUUID();
const sampleOurs = await issueClientCertificate({
  ca,
  userUuid,
  deviceId: 'bench-device',
  algorithm: 'ml-dsa-65',
});
const samplePeer = issueWithNoble(userUuid, 'bench-device');
for (const [who, issued] of [
  ['ours', sampleOurs],
  ['peer', samplePeer],
] as const) {
  const x509 = new X509Certificate(issued.certificatePem);
  if (!x509.verify(caPublicKey)) throw new Error(`${who}: certificate does not verify under the CA`);
  const key = createPrivateKey(issued.privateKeyPem ?? '');
  if (!x509.checkPrivateKey(key)) throw new Error(`${who}: private key does not match the certificate`);
}

const ours = await timeSequential(ITERATIONS, () =>
  issueClientCertificate({ ca, userUuid, deviceId: 'bench-device', algorithm: 'ml-dsa-65' }),
);
const peer = await timeSequential(ITERATIONS, () => issueWithNoble(userUuid, 'bench-device'));
// Where the time goes: the crypto alone (keygen + one signature over a TBS-sized message) on each
// side; the rest of an issuance (building and DER-encoding the certificate, PEM output, checks) is the
// difference. @city/client-cert resolves and checks the CA once per CA object and caches it, so no
// per-call CA cost is left to measure separately.
const tbsSized = new Uint8Array(randomBytes(2200));
const caNodeKey = createPrivateKey(ca.privateKeyPem);
const cryptoOurs = await timeSequential(ITERATIONS, async () => {
  await generateKeyPair('ml-dsa-65');
  sign(null, tbsSized, caNodeKey);
});
const cryptoPeer = await timeSequential(ITERATIONS, () => {
  ml_dsa65.keygen(new Uint8Array(randomBytes(32)));
  ml_dsa65.sign(tbsSized, caNoble.secretKey);
});

report({
  name: 'cert',
  title: 'ML-DSA-65 key + client certificate issuance',
  peerName: '@noble/post-quantum + pkijs',
  rows: [
    {
      metric: 'issuances per second (sequential)',
      unit: 'certs/s',
      ours: 1000 / ours.meanMs,
      peer: 1000 / peer.meanMs,
      target: { on: 'ratio', op: '>=', value: 5 },
    },
    { metric: 'time per issuance (mean)', unit: 'ms', ours: ours.meanMs, peer: peer.meanMs },
    { metric: 'time per issuance (p99)', unit: 'ms', ours: ours.p99Ms, peer: peer.p99Ms },
    {
      metric: 'crypto only: keygen + 1 signature',
      unit: 'ms',
      ours: cryptoOurs.meanMs,
      peer: cryptoPeer.meanMs,
      note: 'native node:crypto vs noble, no ASN.1',
    },
    {
      metric: 'non-crypto work per issuance (mean - crypto only)',
      unit: 'ms',
      ours: ours.meanMs - cryptoOurs.meanMs,
      peer: peer.meanMs - cryptoPeer.meanMs,
      note: 'certificate building and DER encoding (pkijs/asn1js), PEM output, checks',
    },
  ],
  details: { iterations: ITERATIONS, ours, peer, cryptoOurs, cryptoPeer },
});
