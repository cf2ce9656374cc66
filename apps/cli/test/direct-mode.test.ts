/**
 * Every service command in direct mode (registration-core in-process on a temporary data dir), as
 * real subprocesses: stdout JSON, profile files written 0600, and exit codes for user errors.
 * Certificates and keys are checked against node:crypto (OpenSSL).
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { myNumberCheckDigit } from '@city/registration-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const profilePath = (profile: string, file: string) => join(ws.profileDir, profile, file);

function assertKeyMatchesCertificate(keyPem: string, certPem: string): void {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  expect(Buffer.compare(fromKey, fromCert)).toBe(0);
}

beforeAll(async () => {
  ws = await makeWorkspace('direct');
});
afterAll(() => ws.cleanup());

describe('direct mode (tests run in order, sharing one data dir)', () => {
  let alice: { uuid: string; deviceId: string; fingerprint: string };
  let laptopDeviceId: string;

  it('register: local key + CSR, all fields by flag, profile files 0600, uuid and fingerprint printed', async () => {
    const mynumber = `12345678901${myNumberCheckDigit('12345678901')}`;
    const run = await city(
      [
        'register',
        '--username',
        'alice',
        '--email',
        'alice@example.com',
        '--password-stdin',
        '--name',
        'Alice Liddell',
        '--birth-date',
        '1990-04-01',
        '--address',
        'Tokyo',
        '--mynumber',
        mynumber,
        '--phone',
        '090-1234-5678',
        '--initial-harmony-token',
        '100',
        '--device-label',
        'desktop',
        '--profile',
        'alice',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    const data = run.json<{
      uuid: string;
      username: string;
      deviceId: string;
      fingerprint: string;
      keySource: string;
      algorithm: string;
    }>();
    expect(data.uuid).toMatch(UUID);
    expect(data.username).toBe('alice');
    expect(data.keySource).toBe('local');
    expect(data.algorithm).toBe('ml-dsa-65');
    alice = data;

    const certPem = await readFile(profilePath('alice', 'device-cert.pem'), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(data.fingerprint).toBe(cert.fingerprint256.replaceAll(':', '').toLowerCase());
    expect(cert.subject).toContain(data.uuid);
    const caPem = await readFile(profilePath('alice', 'ca-cert.pem'), 'utf8');
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    assertKeyMatchesCertificate(await readFile(profilePath('alice', 'device-key.pem'), 'utf8'), certPem);
    for (const file of ['device-key.pem', 'device-cert.pem', 'ca-cert.pem', 'profile.json']) {
      expect(await modeOf(profilePath('alice', file)), file).toBe(0o600);
    }
    expect((await stat(join(ws.profileDir, 'alice'))).mode & 0o777).toBe(0o700);
    const profile = JSON.parse(await readFile(profilePath('alice', 'profile.json'), 'utf8'));
    expect(profile).toMatchObject({
      uuid: data.uuid,
      deviceId: data.deviceId,
      username: 'alice',
      keySource: 'local',
    });
  });

  it('register refuses to replace the device of a profile (PROFILE_EXISTS, exit 1)', async () => {
    const run = await city(
      [
        'register',
        '--username',
        'alice2',
        '--email',
        'a2@example.com',
        '--password-stdin',
        '--profile',
        'alice',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error PROFILE_EXISTS: /);
  });

  it('register: a taken username is a user error with its code (exit 1), nothing saved', async () => {
    const run = await city(
      [
        'register',
        '--username',
        'ALICE',
        '--email',
        'other@example.com',
        '--password-stdin',
        '--profile',
        'dup',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error USERNAME_TAKEN: The username is already registered.\n');
    await expect(stat(profilePath('dup', 'profile.json'))).rejects.toThrow();
  });

  it('register: validation problems are listed one field per line (exit 1)', async () => {
    const run = await city(
      [
        'register',
        '--username',
        'ok-name',
        '--email',
        'not-an-email',
        '--birth-date',
        '2999-01-01',
        '--password-stdin',
        '--profile',
        'bad',
      ],
      'short\n',
    );
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error VALIDATION_FAILED: /);
    expect(
      lines
        .slice(1)
        .map((line) => line.trim().split(':')[0])
        .sort(),
    ).toEqual(['birth_date', 'email', 'password']);
    expect(run.stderr).not.toContain('    at ');
  });

  it('register --server-key: the server generates the key, returned once and saved 0600', async () => {
    const run = await city(
      [
        'register',
        '--username',
        'sam',
        '--email',
        'sam@example.com',
        '--password-stdin',
        '--server-key',
        '--alg',
        'ecdsa-p256',
        '--profile',
        'sam',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ keySource: 'server', algorithm: 'ecdsa-p256' });
    expect(await modeOf(profilePath('sam', 'device-key.pem'))).toBe(0o600);
    assertKeyMatchesCertificate(
      await readFile(profilePath('sam', 'device-key.pem'), 'utf8'),
      await readFile(profilePath('sam', 'device-cert.pem'), 'utf8'),
    );
  });

  it('register --csr --key: a CSR made by `city csr` is certified, the key copied into the profile', async () => {
    const key = join(ws.root, 'carol.key');
    const csr = join(ws.root, 'carol.csr');
    const made = await city(['csr', '--generate-key', '--alg', 'ed25519', '--key-out', key, '--out', csr]);
    expect(made.code, made.stderr).toBe(0);
    const run = await city(
      [
        'register',
        '--username',
        'carol',
        '--email',
        'carol@example.com',
        '--password-stdin',
        '--csr',
        csr,
        '--key',
        key,
        '--profile',
        'carol',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ keySource: 'local', algorithm: 'ed25519' });
    expect(await readFile(profilePath('carol', 'device-key.pem'), 'utf8')).toBe(await readFile(key, 'utf8'));
    const noKey = await city(
      [
        'register',
        '--username',
        'c2',
        '--email',
        'c2@example.com',
        '--password-stdin',
        '--csr',
        csr,
        '--profile',
        'c2',
      ],
      'x\n',
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^error USAGE_ERROR: missing --key/);
  });

  it('login with a wrong password is INVALID_CREDENTIALS (exit 1) and stores nothing', async () => {
    const run = await city(['login', '--password-stdin', '--profile', 'alice'], 'Wrong-Password-000\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
    await expect(stat(profilePath('alice', 'tokens.json'))).rejects.toThrow();
  });

  it('login signs the challenge with the device key; tokens saved 0600, never printed', async () => {
    const run = await city(['login', '--password-stdin', '--profile', 'alice', '--json'], `${PASSWORD}\n`);
    expect(run.code, run.stderr).toBe(0);
    const data = run.json<Record<string, unknown>>();
    expect(data).toMatchObject({ uuid: alice.uuid, username: 'alice', deviceId: alice.deviceId });
    const tokens = JSON.parse(await readFile(profilePath('alice', 'tokens.json'), 'utf8'));
    expect(tokens.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(run.stdout).not.toContain(tokens.accessToken);
    expect(run.stdout).not.toContain(tokens.refreshToken);
    expect(await modeOf(profilePath('alice', 'tokens.json'))).toBe(0o600);
  });

  it('whoami prints the profile of the session (JSON and text)', async () => {
    const json = await city(['whoami', '--profile', 'alice', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json()).toMatchObject({
      uuid: alice.uuid,
      username: 'alice',
      email: 'alice@example.com',
      name: 'Alice Liddell',
      deviceId: alice.deviceId,
      initialHarmonyToken: 100,
    });
    const text = await city(['whoami', '--profile', 'alice']);
    expect(text.stdout).toContain(`alice (${alice.uuid})`);
  });

  it('an expired access token is refreshed once and the new pair saved', async () => {
    const path = profilePath('alice', 'tokens.json');
    const before = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...before, accessTokenExpiresAt: '2000-01-01T00:00:00.000Z' }));
    const run = await city(['whoami', '--profile', 'alice', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.sessionId).toBe(before.sessionId);
  });

  it('refresh rotates the pair with a proof of the device key; without the key file it cannot', async () => {
    const path = profilePath('alice', 'tokens.json');
    const before = JSON.parse(await readFile(path, 'utf8'));
    const run = await city(['refresh', '--profile', 'alice', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(run.json()).toMatchObject({ sessionId: before.sessionId, deviceId: before.deviceId });
    const text = await city(['refresh', '--profile', 'alice']);
    expect(text.stdout).toContain(`session ${before.sessionId} refreshed`);
    // The profile's device key is what the refresh proves: a profile holding only the tokens cannot refresh.
    const key = profilePath('alice', 'device-key.pem');
    const pem = await readFile(key, 'utf8');
    await rm(key);
    try {
      const keyless = await city(['refresh', '--profile', 'alice']);
      expect(keyless.code).not.toBe(0);
      expect(keyless.stderr).toMatch(/PROFILE_NOT_FOUND/);
    } finally {
      await writeFile(key, pem, { mode: 0o600 });
    }
    expect((await city(['whoami', '--profile', 'alice'])).code).toBe(0);
  });

  it('pair request prints a terminal QR code and the expiry; pair accept registers this machine', async () => {
    const text = await city(['pair', 'request', '--profile', 'alice']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/[▀▄█]/);
    // stdout is a pipe here: no colour escapes, only the blocks.
    expect(text.stdout).not.toContain(String.fromCharCode(27));
    expect(text.stdout).toMatch(/expires at: +\d{4}-\d\d-\d\dT/);

    const request = await city(['pair', 'request', '--profile', 'alice', '--json']);
    const pairing = request.json<{ token: string; qrPayload: string; expiresAt: string }>();
    expect(pairing.qrPayload).toContain(`uuid=${alice.uuid}`);
    const accept = await city(
      [
        'pair',
        'accept',
        pairing.qrPayload,
        '--username',
        'alice',
        '--password-stdin',
        '--alg',
        'ecdsa-p256',
        '--device-label',
        'laptop',
        '--profile',
        'alice-laptop',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(accept.code, accept.stderr).toBe(0);
    const device = accept.json<{
      uuid: string;
      deviceId: string;
      pairedFromDeviceId: string;
      keySource: string;
    }>();
    expect(device).toMatchObject({
      uuid: alice.uuid,
      pairedFromDeviceId: alice.deviceId,
      keySource: 'local',
    });
    laptopDeviceId = device.deviceId;
    expect(await modeOf(profilePath('alice-laptop', 'device-key.pem'))).toBe(0o600);

    const reuse = await city(
      [
        'pair',
        'accept',
        '--username',
        'alice',
        '--password-stdin',
        '--profile',
        'alice-other',
        // `--` ends the options: a base64url token may begin with "-".
        '--',
        pairing.token,
      ],
      `${PASSWORD}\n`,
    );
    expect(reuse.code).toBe(1);
    expect(reuse.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
  });

  it('the paired machine logs in with its own key; devices list shows both, current marked', async () => {
    const login = await city(
      ['login', '--password-stdin', '--profile', 'alice-laptop', '--json'],
      `${PASSWORD}\n`,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(login.json()).toMatchObject({ deviceId: laptopDeviceId });
    const list = await city(['devices', 'list', '--profile', 'alice', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const devices = list.json<{ deviceId: string; current: boolean; status: string }[]>();
    expect(devices.map((d) => d.deviceId).sort()).toEqual([alice.deviceId, laptopDeviceId].sort());
    expect(devices.find((d) => d.current)?.deviceId).toBe(alice.deviceId);
    const text = await city(['devices', 'list', '--profile', 'alice']);
    expect(text.stdout).toMatch(new RegExp(`^\\*\\s+${alice.deviceId}`, 'm'));
  });

  it('devices revoke ends the paired device: its session and logins fail', async () => {
    const run = await city(['devices', 'revoke', laptopDeviceId, '--profile', 'alice', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ deviceId: laptopDeviceId, status: 'revoked' });
    const whoami = await city(['whoami', '--profile', 'alice-laptop']);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toMatch(/^error TOKEN_REVOKED: /);
    const login = await city(['login', '--password-stdin', '--profile', 'alice-laptop'], `${PASSWORD}\n`);
    expect(login.code).toBe(1);
    const unknown = await city([
      'devices',
      'revoke',
      '00000000-0000-4000-8000-000000000000',
      '--profile',
      'alice',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error DEVICE_NOT_FOUND: /);
  });

  it('logout ends the session and forgets the tokens; whoami then says NOT_LOGGED_IN', async () => {
    const tokens = JSON.parse(await readFile(profilePath('alice', 'tokens.json'), 'utf8'));
    const run = await city(['logout', '--profile', 'alice', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual({ loggedOut: true, sessionId: tokens.sessionId, serverSession: 'ended' });
    await expect(stat(profilePath('alice', 'tokens.json'))).rejects.toThrow();
    const whoami = await city(['whoami', '--profile', 'alice']);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toMatch(/^error NOT_LOGGED_IN: /);
    // The old refresh token is dead on the server too.
    await writeFile(
      profilePath('alice', 'tokens.json'),
      JSON.stringify({ ...tokens, accessTokenExpiresAt: '2000-01-01T00:00:00Z' }),
      {
        mode: 0o600,
      },
    );
    const stale = await city(['whoami', '--profile', 'alice']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error TOKEN_(REVOKED|INVALID): /);
  });

  it('commands needing a device say so on an empty profile', async () => {
    const run = await city(['login', '--password-stdin', '--profile', 'nobody'], `${PASSWORD}\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error PROFILE_NOT_FOUND: /);
  });

  it('a store that cannot be reached is exit 3 (STORE_UNAVAILABLE)', async () => {
    const run = await runCity(
      ['register', '--username', 'zed', '--email', 'zed@example.com', '--password-stdin', '--profile', 'zed'],
      {
        env: {
          ...ws.env,
          CITY_MODE: 'aws',
          CITY_DATA_DIR: join(ws.root, 'aws-secrets'),
          CITY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
          CITY_S3_ENDPOINT: 'http://127.0.0.1:9',
          CITY_DYNAMODB_MAX_ATTEMPTS: '1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
        },
        input: `${PASSWORD}\n`,
      },
    );
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/^error STORE_UNAVAILABLE: /);
  });
});
