/**
 * Mutual TLS end to end (RFC 8446 client authentication): the app listens with HTTPS and
 * `requestCert` built by `tlsServerOptions` from `loadConfig`, our device CA as the only client
 * trust anchor, and devices log in with `"proof": "mtls"` over a real TLS 1.3 connection holding
 * their device certificate — ML-DSA-65 (server-generated key) and ECDSA P-256 (device CSR).
 * The throwaway server certificate is made by the system `openssl` (an independent toolchain).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import {
  createCertificateAuthority,
  createCertificateSigningRequest,
  generateKeyPair,
  issueClientCertificate,
} from '@city/client-cert';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/build-app.js';
import { loadConfig } from '../src/config.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from '../src/open-auth-runtime.js';
import { tlsServerOptions } from '../src/tls-server-options.js';
import { bearer, json, seedsBody } from './helpers/test-app.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

interface Device {
  readonly uuid: string;
  readonly username: string;
  readonly password: string;
  readonly deviceId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

interface TlsAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly protocol: string | null;
  readonly group: string | undefined;
}

let dir: string;
let runtime: AuthRuntime;
let app: FastifyInstance;
let port: number;
let serverCertificatePem: string;
let preferredGroup: string;
let mlDsaDevice: Device;
let ecdsaDevice: Device;
const negotiatedGroups = new Set<string>();

function tlsPost(
  path: string,
  payload: unknown,
  client: { cert?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<TlsAnswer> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca: serverCertificatePem,
        ...(client.cert === undefined ? {} : { cert: client.cert, key: client.key }),
        agent: false,
        headers: { 'content-type': 'application/json', ...client.headers },
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const info = socket.getEphemeralKeyInfo();
        const group =
          info !== null && typeof info === 'object' && 'name' in info ? String(info.name) : undefined;
        const protocol = socket.getProtocol();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            protocol,
            group,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function register(extra: Record<string, unknown>, privateKeyPem?: string): Promise<Device> {
  const body = seedsBody(extra);
  const response = await app.inject({ method: 'POST', url: '/register', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  const reg = json<{
    uuid: string;
    username: string;
    deviceId: string;
    certificatePem: string;
    privateKeyPem?: string;
  }>(response);
  const key = privateKeyPem ?? reg.privateKeyPem;
  if (key === undefined) throw new Error('registration returned no private key');
  return {
    uuid: reg.uuid,
    username: reg.username,
    password: String(body.password),
    deviceId: reg.deviceId,
    certificatePem: reg.certificatePem,
    privateKeyPem: key,
  };
}

function mtlsLogin(device: Device, client: { cert?: string; key?: string }): Promise<TlsAnswer> {
  return tlsPost('/login', { identifier: device.username, password: device.password, proof: 'mtls' }, client);
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  dir = await mkdtemp(join(tmpdir(), 'city-api-mtls-'));
  const certPath = join(dir, 'server-cert.pem');
  const keyPath = join(dir, 'server-key.pem');
  // ECDSA P-256 server certificate for the address the client dials (IP SAN, serverAuth).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  const config = loadConfig({
    CITY_DATA_DIR: join(dir, 'data'),
    CITY_TLS_CERT: certPath,
    CITY_TLS_KEY: keyPath,
    CITY_RATE_LIMIT: '0',
    CITY_CREDENTIAL_RATE_LIMIT: '0',
  });
  expect(config.tls?.requestClientCertificate).toBe(true);
  serverCertificatePem = config.tls?.certPem ?? '';
  runtime = await openAuthRuntime(config);
  preferredGroup = tlsServerOptions(config.tls!, runtime.auth.caCertificatePem()).ecdhCurve.split(':')[0]!;
  app = await buildApp({ ...appOptionsOf(runtime), config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

  mlDsaDevice = await register({ key_algorithm: 'ml-dsa-65' });
  const ecKey = await generateKeyPair('ecdsa-p256');
  const csr = await createCertificateSigningRequest({ privateKeyPem: ecKey.privateKeyPem });
  ecdsaDevice = await register({ csr }, ecKey.privateKeyPem);
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  if (negotiatedGroups.size > 0) {
    process.stdout.write(`mTLS key-exchange group(s) negotiated: ${[...negotiatedGroups].join(', ')}\n`);
  }
});

describe.skipIf(!hasOpenssl)('mutual TLS login (needs the openssl CLI: apt-get install openssl)', () => {
  it.each([
    ['ML-DSA-65, server-generated key', () => mlDsaDevice, 'ml-dsa-65'],
    ['ECDSA P-256, device CSR', () => ecdsaDevice, 'ec'],
  ])('%s: the device certificate logs in over TLS 1.3', async (_name, device, keyType) => {
    const d = device();
    // OpenSSL (node:crypto) as the oracle for what kind of certificate the device holds.
    expect(new X509Certificate(d.certificatePem).publicKey.asymmetricKeyType).toBe(keyType);
    const answer = await mtlsLogin(d, { cert: d.certificatePem, key: d.privateKeyPem });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ deviceId: d.deviceId });
    expect(typeof answer.body.accessToken).toBe('string');
    expect(typeof answer.body.refreshToken).toBe('string');
    expect(answer.protocol).toBe('TLSv1.3');
    // Node exposes the group on the client side: the server's most preferred one (the ML-KEM hybrid by default).
    if (answer.group !== undefined) {
      negotiatedGroups.add(answer.group);
      expect(answer.group).toBe(preferredGroup);
    }
    // The token works (the session is real, bound to this device).
    const me = await app.inject({
      method: 'GET',
      url: '/me',
      headers: bearer(String(answer.body.accessToken)),
    });
    expect(me.statusCode, me.body).toBe(200);
  });

  it('without a client certificate: 401 CLIENT_CERTIFICATE_REQUIRED', async () => {
    const answer = await mtlsLogin(mlDsaDevice, {});
    expect(answer.protocol).toBe('TLSv1.3');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
  });

  it('with a certificate from another CA (same user and device names): refused', async () => {
    const foreignCa = await createCertificateAuthority({ algorithm: 'ml-dsa-65', commonName: 'Not Our CA' });
    const forged = await issueClientCertificate({
      ca: foreignCa,
      userUuid: mlDsaDevice.uuid,
      deviceId: mlDsaDevice.deviceId,
      algorithm: 'ml-dsa-65',
    });
    const answer = await mtlsLogin(mlDsaDevice, { cert: forged.certificatePem, key: forged.privateKeyPem });
    // The socket did not authorise it, so the request carries no device proof at all.
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
    expect(answer.body).not.toHaveProperty('accessToken');
  });

  it('a forwarded X-Client-Cert header without TRUSTED_PROXY does not count', async () => {
    const answer = await tlsPost(
      '/login',
      { identifier: ecdsaDevice.username, password: ecdsaDevice.password, proof: 'mtls' },
      { headers: { 'x-client-cert': encodeURIComponent(ecdsaDevice.certificatePem) } },
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'CLIENT_CERTIFICATE_REQUIRED' } });
  });

  it("with a revoked device's certificate: 401 INVALID_CREDENTIALS", async () => {
    const device = await register({ key_algorithm: 'ml-dsa-65' });
    const first = await mtlsLogin(device, { cert: device.certificatePem, key: device.privateKeyPem });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/devices/${device.deviceId}?confirm_last_device=true`,
      headers: bearer(String(first.body.accessToken)),
    });
    expect(revoke.statusCode, revoke.body).toBeLessThan(300);
    const answer = await mtlsLogin(device, { cert: device.certificatePem, key: device.privateKeyPem });
    // The TLS layer still accepts the certificate (it chains to our CA); the core checks the CRL.
    expect(answer.protocol).toBe('TLSv1.3');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
  });
});
