/**
 * `city cert export-p12`: the profile's key, certificate and CA as a PKCS#12 file that the openssl
 * command opens with the import password (the independent reader), for P-256 and RSA profiles;
 * ML-DSA profiles are refused with CERT_PKCS12_UNSUPPORTED before a password is read.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function register(profile: string, alg: string): Promise<void> {
  const run = await city(
    [
      'register',
      '--username',
      profile,
      '--email',
      `${profile}@example.com`,
      '--password-stdin',
      '--alg',
      alg,
      '--profile',
      profile,
      '--json',
    ],
    `${PASSWORD}\n`,
  );
  expect(run.code, run.stderr).toBe(0);
}

beforeAll(async () => {
  ws = await makeWorkspace('p12');
});
afterAll(() => ws.cleanup());

describe.skipIf(!hasOpenssl())(
  'city cert export-p12 (needs the openssl CLI: apt-get install openssl)',
  () => {
    for (const alg of ['ecdsa-p256', 'rsa-3072']) {
      it(`${alg}: openssl opens the file with the password and finds the key, the certificate and the CA`, async () => {
        const profile = `p12${alg.replace(/[^a-z0-9]/g, '')}`;
        await register(profile, alg);
        const out = join(ws.root, `${profile}.p12`);
        const run = await city(
          ['cert', 'export-p12', '--profile', profile, '--out', out, '--password-stdin', '--json'],
          'import-secret-1\n',
        );
        expect(run.code, run.stderr).toBe(0);
        expect(run.json()).toMatchObject({ algorithm: alg, includesCa: true });
        expect(await modeOf(out)).toBe(0o600);

        const dump = execFileSync(
          'openssl',
          ['pkcs12', '-info', '-in', out, '-passin', 'pass:import-secret-1', '-noenc'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const certs = [...dump.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map(
          (m) => m[0],
        );
        expect(certs).toHaveLength(2);
        expect(dump).toMatch(/-----BEGIN PRIVATE KEY-----/);
        const profileCert = await readFile(join(ws.profileDir, profile, 'device-cert.pem'), 'utf8');
        const profileCa = await readFile(join(ws.profileDir, profile, 'ca-cert.pem'), 'utf8');
        const fingerprints = certs.map((pem) => new X509Certificate(pem).fingerprint256);
        expect(fingerprints).toContain(new X509Certificate(profileCert).fingerprint256);
        expect(fingerprints).toContain(new X509Certificate(profileCa).fingerprint256);

        // The wrong password opens nothing.
        expect(() =>
          execFileSync('openssl', ['pkcs12', '-info', '-in', out, '-passin', 'pass:wrong', '-noenc'], {
            stdio: 'ignore',
          }),
        ).toThrow();
        // The file is never overwritten.
        const again = await city(
          ['cert', 'export-p12', '--profile', profile, '--out', out, '--password-stdin'],
          'x\n',
        );
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/FILE_EXISTS/);
      });
    }

    it('--no-ca leaves the CA certificate out', async () => {
      const profile = 'p12noca';
      await register(profile, 'ecdsa-p256');
      const out = join(ws.root, 'noca.p12');
      const run = await city(
        ['cert', 'export-p12', '--profile', profile, '--out', out, '--password-stdin', '--no-ca'],
        'pw\n',
      );
      expect(run.code, run.stderr).toBe(0);
      const dump = execFileSync('openssl', ['pkcs12', '-info', '-in', out, '-passin', 'pass:pw', '-noenc'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect([...dump.matchAll(/BEGIN CERTIFICATE/g)]).toHaveLength(1);
    });

    it('an ML-DSA profile is refused with CERT_PKCS12_UNSUPPORTED, saying keychains cannot import it', async () => {
      const profile = 'p12mldsa';
      await register(profile, 'ml-dsa-65');
      const out = join(ws.root, 'mldsa.p12');
      const run = await city(
        ['cert', 'export-p12', '--profile', profile, '--out', out, '--password-stdin'],
        'pw\n',
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error CERT_PKCS12_UNSUPPORTED: /);
      expect(run.stderr).toMatch(/keychains and browsers cannot import ml-dsa-65/);
      await expect(readFile(out)).rejects.toThrow();
    });

    it('without --out is a usage error; an empty profile says to register first', async () => {
      expect((await city(['cert', 'export-p12', '--profile', 'nobody'])).code).toBe(2);
      const empty = await city([
        'cert',
        'export-p12',
        '--profile',
        'nobody',
        '--out',
        join(ws.root, 'n.p12'),
      ]);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(/PROFILE_NOT_FOUND/);
    });
  },
);
