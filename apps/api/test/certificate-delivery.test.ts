/**
 * Certificate delivery formats, each read by an independent reader: the PEM download and the
 * Base64 `client_cert` by `openssl x509`, the PKCS#12 bundle of a server-generated key by
 * `openssl pkcs12 -info -passin`, the QR PNG by jsQR (a decoder separate from the encoder).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, openTestApp, registerAndLogin, seedsBody, type TestApp } from './helpers/test-app.js';

// jsqr is CommonJS with an ES-style `export default` in its types: at run time the default import
// is the function itself.
type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsqrModule as unknown as { default?: DecodeQr }).default ?? jsqrModule) as unknown as DecodeQr;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(args: string[], input?: string | Buffer): string {
  return execFileSync('openssl', args, {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** `openssl x509` fingerprint in the project's form (lower-case hex, no colons). */
function opensslFingerprint(pem: string): string {
  const line = openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem);
  return (line.split('=')[1] ?? '').trim().replaceAll(':', '').toLowerCase();
}

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await openTestApp();
  dir = await mkdtemp(join(tmpdir(), 'city-delivery-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl())(
  'certificate delivery (needs the openssl CLI: apt-get install openssl)',
  () => {
    it('GET /devices/:id/certificate: the PEM openssl reads, the same certificate as at registration', async () => {
      const session = await registerAndLogin(t.app);
      const response = await t.app.inject({
        method: 'GET',
        url: `/devices/${session.deviceId}/certificate`,
        headers: bearer(session.accessToken),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-pem-file/);
      expect(response.headers['cache-control']).toBe('no-store');
      const devices = json<{ devices: { deviceId: string; fingerprint: string }[] }>(
        await t.app.inject({ method: 'GET', url: '/devices', headers: bearer(session.accessToken) }),
      );
      const listed = devices.devices.find((d) => d.deviceId === session.deviceId);
      expect(opensslFingerprint(response.body)).toBe(listed?.fingerprint);
      const subject = openssl(['x509', '-noout', '-subject'], response.body);
      expect(subject).toContain(session.uuid);
    });

    it("another user's device is 404 DEVICE_NOT_FOUND, and a token is required", async () => {
      const alice = await registerAndLogin(t.app);
      const mallory = await registerAndLogin(t.app);
      for (const url of [
        `/devices/${alice.deviceId}/certificate`,
        `/devices/${alice.deviceId}/certificate/qr.png`,
      ]) {
        const stolen = await t.app.inject({ method: 'GET', url, headers: bearer(mallory.accessToken) });
        expect(stolen.statusCode).toBe(404);
        expect(json(stolen)).toMatchObject({ error: { code: 'DEVICE_NOT_FOUND' } });
        const anonymous = await t.app.inject({ method: 'GET', url });
        expect(anonymous.statusCode).toBe(401);
      }
    });

    it('GET /devices/:id/certificate/qr.png: a PNG whose QR code decodes to the certificate reference', async () => {
      const session = await registerAndLogin(t.app);
      const response = await t.app.inject({
        method: 'GET',
        url: `/devices/${session.deviceId}/certificate/qr.png`,
        headers: bearer(session.accessToken),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      const png = PNG.sync.read(response.rawPayload);
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(decoded).not.toBeNull();
      const reference = new URL(decoded!.data);
      expect(reference.protocol).toBe('city-auth:');
      expect(reference.searchParams.get('uuid')).toBe(session.uuid);
      expect(reference.searchParams.get('device')).toBe(session.deviceId);
      const pem = (
        await t.app.inject({
          method: 'GET',
          url: `/devices/${session.deviceId}/certificate`,
          headers: bearer(session.accessToken),
        })
      ).body;
      expect(reference.searchParams.get('fp')).toBe(opensslFingerprint(pem));
    });

    it('the original client_cert (Base64) is a PEM openssl reads', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/registration/', payload: seedsBody() });
      const { client_cert: clientCert, fingerprint } = json<{ client_cert: string; fingerprint: string }>(
        response,
      );
      expect(opensslFingerprint(Buffer.from(clientCert, 'base64').toString('utf8'))).toBe(fingerprint);
    });

    for (const alg of ['ecdsa-p256', 'rsa-3072']) {
      it(`registration with pkcs12_password (${alg}): a PKCS#12 openssl opens with that password`, async () => {
        for (const url of ['/register', '/registration/']) {
          const response = await t.app.inject({
            method: 'POST',
            url,
            payload: seedsBody({ key_algorithm: alg, pkcs12_password: 'bundle secret 1' }),
          });
          expect(response.statusCode, response.body).toBeLessThan(300);
          const result = json<{ pkcs12Base64: string; certificatePem: string; caCertificatePem: string }>(
            response,
          );
          const file = join(dir, `${alg}-${url.length}.p12`);
          await writeFile(file, Buffer.from(result.pkcs12Base64, 'base64'));
          const dump = openssl(['pkcs12', '-info', '-in', file, '-passin', 'pass:bundle secret 1', '-noenc']);
          expect(dump).toMatch(/-----BEGIN PRIVATE KEY-----/);
          const certs = [
            ...dump.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g),
          ].map((m) => opensslFingerprint(m[0]));
          expect(certs).toContain(opensslFingerprint(result.certificatePem));
          expect(certs).toContain(opensslFingerprint(result.caCertificatePem));
          expect(() =>
            openssl(['pkcs12', '-info', '-in', file, '-passin', 'pass:wrong', '-noenc']),
          ).toThrow();
        }
      });
    }

    it('pkcs12_password with an ML-DSA key or with a CSR: 422 on pkcs12_password, nobody registered', async () => {
      const mldsa = seedsBody({ key_algorithm: 'ml-dsa-65', pkcs12_password: 'bundle secret 1' });
      const refused = await t.app.inject({ method: 'POST', url: '/register', payload: mldsa });
      expect(refused.statusCode).toBe(422);
      expect(json(refused)).toMatchObject({
        error: {
          code: 'VALIDATION_FAILED',
          fields: [{ field: 'pkcs12_password', code: 'CONFLICTING_FIELDS' }],
        },
      });
      // The same username registers afterwards: the refusal wrote nothing.
      const after = await t.app.inject({
        method: 'POST',
        url: '/register',
        payload: { ...mldsa, pkcs12_password: undefined },
      });
      expect(after.statusCode).toBe(201);

      const key = await generateKeyPair('ecdsa-p256');
      const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
      const withCsr = await t.app.inject({
        method: 'POST',
        url: '/register',
        payload: seedsBody({ csr, pkcs12_password: 'bundle secret 1' }),
      });
      expect(withCsr.statusCode).toBe(422);
      expect(JSON.stringify(json(withCsr))).toContain('pkcs12_password');
    });
  },
);
