/**
 * Commands that work on local files only (keygen, csr, cert inspect/fingerprint, make-register-body),
 * run as real subprocesses; certificates and keys are checked with node:crypto (OpenSSL) as oracle.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueClientCertificate } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let certPath: string;
let certPem: string;
const userUuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
const deviceId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

beforeAll(async () => {
  ws = await makeWorkspace('local');
  const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256' });
  const issued = await issueClientCertificate({ ca, userUuid, deviceId, algorithm: 'ecdsa-p256' });
  certPem = issued.certificatePem;
  certPath = join(ws.root, 'client_test.pem');
  await writeFile(certPath, certPem);
});
afterAll(() => ws.cleanup());

describe('city keygen', () => {
  it('writes a 0600 private key of the chosen algorithm and prints the public key', async () => {
    const out = join(ws.root, 'k1.pem');
    const run = await runCity(['keygen', '--alg', 'ed25519', '--out', out, '--json'], { env: ws.env });
    expect(run.code, run.stderr).toBe(0);
    const data = run.json<{ algorithm: string; privateKeyFile: string; publicKeyPem: string }>();
    expect(data.algorithm).toBe('ed25519');
    expect(await modeOf(out)).toBe(0o600);
    const key = createPrivateKey(await readFile(out, 'utf8'));
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(data.publicKeyPem);
  });
  it('never overwrites an existing key file', async () => {
    const out = join(ws.root, 'k-exists.pem');
    await writeFile(out, 'keep me');
    const run = await runCity(['keygen', '--out', out], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_EXISTS: /);
    expect(await readFile(out, 'utf8')).toBe('keep me');
  });
  it('an output path that cannot be written is a user error naming it, not a crash', async () => {
    const underFile = join(ws.root, 'k-exists.pem', 'k.pem');
    const nested = await runCity(['keygen', '--out', underFile], { env: ws.env });
    expect(nested.code).toBe(1);
    expect(nested.stderr).toBe(
      `error FILE_NOT_WRITABLE: cannot create the directory of ${underFile} (EEXIST)\n`,
    );
    const directory = await runCity(['keygen', '--out', ws.root], { env: ws.env });
    expect(directory.code).toBe(1);
    expect(directory.stderr).toMatch(/^error FILE_(NOT_WRITABLE|EXISTS): /);
    const csr = await runCity(
      ['csr', '--generate-key', '--key-out', join(ws.root, 'csr-dir-key.pem'), '--out', ws.root],
      {
        env: ws.env,
      },
    );
    expect(csr.code).toBe(1);
    expect(csr.stderr).toBe(`error FILE_NOT_WRITABLE: cannot write ${ws.root} (EISDIR)\n`);
  });
  it('rejects an unknown algorithm as a usage error', async () => {
    const run = await runCity(['keygen', '--alg', 'dsa-1024'], { env: ws.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error USAGE_ERROR: .*dsa-1024/);
  });
});

describe('city csr', () => {
  it('generates a key locally (0600) and a CSR signed by it', async () => {
    const keyOut = join(ws.root, 'csr-key.pem');
    const out = join(ws.root, 'req.csr');
    const run = await runCity(
      ['csr', '--generate-key', '--alg', 'ecdsa-p256', '--key-out', keyOut, '--out', out, '--json'],
      {
        env: ws.env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(await modeOf(keyOut)).toBe(0o600);
    const csr = await readFile(out, 'utf8');
    expect(csr).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(run.json<{ csrPem: string }>().csrPem).toBe(csr);
    // The same key signs a second CSR from the file.
    const again = await runCity(['csr', '--key', keyOut], { env: ws.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
  });
  it('needs --key or --generate-key --key-out (usage errors name the flag)', async () => {
    const none = await runCity(['csr'], { env: ws.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--key');
    const noOut = await runCity(['csr', '--generate-key'], { env: ws.env });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--key-out');
  });
  it('reports an unreadable key file as a user error', async () => {
    const run = await runCity(['csr', '--key', join(ws.root, 'missing.pem')], { env: ws.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FILE_NOT_FOUND: /);
  });
});

describe('city cert', () => {
  it('inspect shows subject, algorithm, validity and fingerprint matching OpenSSL', async () => {
    const run = await runCity(['cert', 'inspect', certPath, '--json'], { env: ws.env });
    expect(run.code, run.stderr).toBe(0);
    const info = run.json<Record<string, string>>();
    const x509 = new X509Certificate(certPem);
    expect(info.fingerprint).toBe(x509.fingerprint256.replaceAll(':', '').toLowerCase());
    expect(info.userUuid).toBe(userUuid);
    expect(info.deviceId).toBe(deviceId);
    expect(info.algorithm).toBe('ecdsa-p256');
    expect(new Date(info.notAfter ?? '').getTime()).toBe(new Date(x509.validTo).getTime());
    const text = await runCity(['cert', 'inspect', certPath], { env: ws.env });
    expect(text.stdout).toContain(`fingerprint: ${info.fingerprint}`);
  });
  it('fingerprint prints hex, or OpenSSL-style with --colons, also from stdin', async () => {
    const x509 = new X509Certificate(certPem);
    const plain = await runCity(['cert', 'fingerprint', certPath], { env: ws.env });
    expect(plain.stdout.trim()).toBe(x509.fingerprint256.replaceAll(':', '').toLowerCase());
    const colons = await runCity(['cert', 'fingerprint', '--colons', '-'], { env: ws.env, input: certPem });
    expect(colons.stdout.trim()).toBe(x509.fingerprint256);
  });
  it('rejects a file that is not a certificate, and a missing argument', async () => {
    const bogus = join(ws.root, 'bogus.pem');
    await writeFile(bogus, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const bad = await runCity(['cert', 'inspect', bogus], { env: ws.env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error CERT_MALFORMED: /);
    expect(bad.stderr).not.toContain('    at ');
    const missing = await runCity(['cert', 'fingerprint'], { env: ws.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error USAGE_ERROR: missing required argument/);
  });
});

describe('city make-register-body (flags)', () => {
  it('prints { username, password, client_cert_fp } and saves register_body_<username>.json with 0600', async () => {
    const run = await runCity(
      ['make-register-body', '--pem', certPath, '--username', 'Alice', '--password-stdin', '--out'],
      {
        env: ws.env,
        input: `${PASSWORD}\n`,
        cwd: ws.root,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const body = run.json();
    expect(body).toEqual({
      username: 'Alice',
      password: PASSWORD,
      client_cert_fp: new X509Certificate(certPem).fingerprint256.replaceAll(':', '').toLowerCase(),
    });
    const saved = join(ws.root, 'register_body_alice.json');
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual(body);
    expect(await modeOf(saved)).toBe(0o600);
    expect(run.stderr).toContain('[OK] saved register_body_alice.json');
  });
  it('without a terminal, a missing value is a usage error naming the flag (never a hanging prompt)', async () => {
    const noPem = await runCity(['make-register-body', '--username', 'alice', '--password-stdin'], {
      env: ws.env,
      input: 'x\n',
    });
    expect(noPem.code).toBe(2);
    expect(noPem.stderr).toMatch(/^error USAGE_ERROR: missing --pem/);
    const noPassword = await runCity(['make-register-body', '--pem', certPath, '--username', 'alice'], {
      env: ws.env,
    });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/^error USAGE_ERROR: missing --password-stdin/);
  });
  it('refuses a username the service would refuse, and a missing PEM file', async () => {
    const bad = await runCity(
      ['make-register-body', '--pem', certPath, '--username', '../x', '--password-stdin'],
      {
        env: ws.env,
        input: 'x\n',
      },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error INPUT_INVALID: /);
    expect(bad.stderr).toMatch(/\n {2}username: /);
    const missing = await runCity(
      ['make-register-body', '--pem', join(ws.root, 'nope.pem'), '--username', 'a1b', '--password-stdin'],
      {
        env: ws.env,
        input: 'x\n',
      },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error FILE_NOT_FOUND: /);
  });
});
