/**
 * Secrets apart from the data: a copy of the data directory taken without the root key must
 * yield no token, no certificate and no personal data; an older directory with plain key files
 * is sealed on first start; and instances racing on one empty secrets directory all come up with
 * the same keys (one creates under the lock, the others load what it wrote).
 */
import { X509Certificate } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '@city/client-cert';
import { generateSigningKey, KeySet } from '@city/jwt';
import { FileCapsuleStore, KeyVault } from '@city/ntru-keyvault';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from '../src/_load-secrets.js';
import { openEmbeddedAuth } from '../src/open-embedded-auth.js';
import { loginWithSignature, newUserBody } from './support/runtime-harness.js';

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `city-secrets-${label}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: readFileSync(path) };
    });
}

describe('a data directory copied without the root key', () => {
  it('holds no private key, no JWK private part and no personal data, and refuses to open', async () => {
    const dataDir = tempDir('data');
    const rootKeyFile = join(tempDir('root'), 'root.key');
    const body = newUserBody({
      mynumber: '123456789018',
      address: 'Kasumigaseki 1-2-3',
      phone: '090-2222-3333',
    });
    const runtime = await openEmbeddedAuth({ dataDir, rootKey: { file: rootKeyFile } });
    let reg: Awaited<ReturnType<typeof runtime.auth.register>>;
    let caPem: string;
    try {
      reg = await runtime.auth.register(body);
      caPem = runtime.auth.caCertificatePem();
      expect(runtime.describe.rootKey).toBe(`file:${rootKeyFile}`);
    } finally {
      await runtime.close();
    }
    expect((statSync(rootKeyFile).mode & 0o777).toString(8)).toBe('600');

    // What a backup of the data directory is: every file of it, and nothing else.
    const copy = tempDir('copy');
    cpSync(dataDir, copy, { recursive: true });
    const files = filesUnder(copy);
    expect(files.map((f) => f.path)).toContainEqual(join(copy, 'city.db'));
    for (const { path, bytes } of files) {
      const text = bytes.toString('latin1');
      expect(text, path).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, path).not.toMatch(/"d"\s*:\s*"/);
      expect(text, path).not.toMatch(/KEM PRIVATE KEY/);
      for (const personal of [body.email, body.mynumber, body.address, body.phone]) {
        expect(text.includes(String(personal)), `${path} holds ${personal}`).toBe(false);
      }
    }

    // Opening the copy without the root key: a clear refusal, and nothing created in it.
    await expect(openEmbeddedAuth({ dataDir: copy })).rejects.toMatchObject({
      name: 'SecretsError',
      code: 'SECRETS_MISSING',
      message: expect.stringContaining('root key'),
    });
    expect(existsSync(join(copy, 'keyvault-kem.key'))).toBe(false);
    // With another root key: refused as a mismatch, nothing decrypted.
    const otherRoot = join(tempDir('other-root'), 'root.key');
    const other = await loadOrCreateSecrets({
      dir: tempDir('other'),
      rootKey: { file: otherRoot },
      mayCreate: true,
    });
    expect(other.keyCheck).toMatch(/^v1 vault=[0-9a-f]{32} ca=[0-9a-f]{32}$/);
    await expect(openEmbeddedAuth({ dataDir: copy, rootKey: { file: otherRoot } })).rejects.toMatchObject({
      code: 'SECRETS_MISMATCH',
    });

    // The same copy with the real root key is a working restore.
    const restored = await openEmbeddedAuth({ dataDir: copy, rootKey: { file: rootKeyFile } });
    try {
      expect(restored.auth.caCertificatePem()).toBe(caPem);
      const login = await loginWithSignature(restored.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
    } finally {
      await restored.close();
    }
  });

  it('takes the root key from its PEM text (an environment variable) as well', async () => {
    const rootKeyFile = join(tempDir('env-root'), 'root.key');
    await loadOrCreateSecrets({ dir: tempDir('env-seed'), rootKey: { file: rootKeyFile }, mayCreate: true });
    const pem = readFileSync(rootKeyFile, 'utf8');
    const dataDir = tempDir('env-data');
    const first = await openEmbeddedAuth({ dataDir, rootKey: { pem } });
    const jwks = first.auth.jwks();
    expect(first.describe.rootKey).toBe('environment');
    await first.close();
    expect(existsSync(join(dataDir, 'keyvault-kem.key'))).toBe(false);
    const second = await openEmbeddedAuth({ dataDir, rootKey: { file: rootKeyFile } });
    try {
      expect(second.auth.jwks()).toEqual(jwks);
    } finally {
      await second.close();
    }
  });
});

describe('a directory of the older layout (plain ca-key.pem and jwt-keys.json)', () => {
  /** What earlier versions wrote: the CA and JWT keys in plain files beside the key vault. */
  async function olderLayout(dir: string) {
    const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256', commonName: 'Older CA' });
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem, { mode: 0o644 });
    writeFileSync(join(dir, 'ca-key.pem'), ca.privateKeyPem, { mode: 0o600 });
    const keys = KeySet.create([await generateSigningKey('EdDSA')]);
    writeFileSync(join(dir, 'jwt-keys.json'), JSON.stringify(keys.toJSON()), { mode: 0o600 });
    await KeyVault.openOrInit({
      store: new FileCapsuleStore(join(dir, 'keyvault')),
      privateKeyFile: join(dir, 'keyvault-kem.key'),
    });
    return { ca, keys };
  }

  it('is sealed on first start: same CA and JWT keys, plain copies removed', async () => {
    const dir = tempDir('older');
    const { ca, keys } = await olderLayout(dir);
    const runtime = await openEmbeddedAuth({ dataDir: dir });
    try {
      expect(runtime.auth.caCertificatePem().trim()).toBe(ca.certificatePem.trim());
      expect(runtime.auth.jwks()).toEqual(keys.toJWKS());
    } finally {
      await runtime.close();
    }
    for (const plain of ['ca.pem', 'ca-key.pem', 'jwt-keys.json']) {
      expect(existsSync(join(dir, plain)), plain).toBe(false);
    }
    for (const { path, bytes } of filesUnder(dir)) {
      if (path.endsWith('keyvault-kem.key')) continue;
      expect(bytes.toString('latin1'), path).not.toMatch(/PRIVATE KEY|"d"\s*:/);
    }
    // And a second start reads the sealed copies.
    const again = await openEmbeddedAuth({ dataDir: dir });
    try {
      expect(again.auth.jwks()).toEqual(keys.toJWKS());
    } finally {
      await again.close();
    }
  });

  it('refuses a plain key that disagrees with the sealed one, changing nothing', async () => {
    const dir = tempDir('older-conflict');
    await olderLayout(dir);
    await (await openEmbeddedAuth({ dataDir: dir })).close();
    const stranger = await createCertificateAuthority({ algorithm: 'ecdsa-p256', commonName: 'Stranger CA' });
    writeFileSync(join(dir, 'ca.pem'), stranger.certificatePem);
    writeFileSync(join(dir, 'ca-key.pem'), stranger.privateKeyPem, { mode: 0o600 });
    await expect(openEmbeddedAuth({ dataDir: dir })).rejects.toMatchObject({
      code: 'SECRETS_MISMATCH',
      message: expect.stringContaining('ca-key.pem'),
    });
    expect(readFileSync(join(dir, 'ca-key.pem'), 'utf8')).toBe(stranger.privateKeyPem);
  });
});

describe('JWT signing key rotation through a plain jwt-keys.json', () => {
  it('seals a rotated or retired set that keeps a key of the sealed one, audits each change once, and refuses a foreign set', async () => {
    const dir = tempDir('rotate');
    const first = await openEmbeddedAuth({ dataDir: dir });
    const keys = KeySet.fromJSON(JSON.stringify(first.jwt.keys.toJSON()));
    const oldKid = keys.active.kid;
    await first.close();
    keys.rotate(await generateSigningKey('EdDSA'));
    writeFileSync(join(dir, 'jwt-keys.json'), JSON.stringify(keys.toJSON()), { mode: 0o600 });
    const rotated = await openEmbeddedAuth({ dataDir: dir });
    try {
      const kids = rotated.auth.jwks().keys.map((key) => key.kid);
      expect(kids).toContain(oldKid);
      expect(kids).toContain(keys.active.kid);
      expect(rotated.jwt.keys.active.kid).toBe(keys.active.kid);
    } finally {
      await rotated.close();
    }
    expect(existsSync(join(dir, 'jwt-keys.json'))).toBe(false);

    // Retiring the old key the same way; each start that changed the set left one audit event.
    keys.retire(oldKid);
    writeFileSync(join(dir, 'jwt-keys.json'), JSON.stringify(keys.toJSON()), { mode: 0o600 });
    const retired = await openEmbeddedAuth({ dataDir: dir });
    await retired.close();
    const reopened = await openEmbeddedAuth({ dataDir: dir });
    try {
      expect(reopened.jwt.keys.get(oldKid)).toBeUndefined();
      const events = (await reopened.auth.listAudit({ operator: 'test' }, { limit: 100 })).items.filter(
        (event) => event.reason === 'jwt_keys_replaced',
      );
      expect(events.map((event) => [event.type, event.detail])).toEqual([
        [
          'admin_action',
          { by: 'operator:jwt-keys.json', activeKid: keys.active.kid, added: '', removed: oldKid },
        ],
        [
          'admin_action',
          { by: 'operator:jwt-keys.json', activeKid: keys.active.kid, added: keys.active.kid, removed: '' },
        ],
      ]);
    } finally {
      await reopened.close();
    }

    const foreign = KeySet.create([await generateSigningKey('EdDSA')]);
    writeFileSync(join(dir, 'jwt-keys.json'), JSON.stringify(foreign.toJSON()), { mode: 0o600 });
    await expect(openEmbeddedAuth({ dataDir: dir })).rejects.toMatchObject({
      code: 'SECRETS_MISMATCH',
      message: expect.stringContaining('shares no key'),
    });
    expect(existsSync(join(dir, 'jwt-keys.json'))).toBe(true);
  });
});

describe('racing first start on one empty secrets directory', () => {
  it('four openers at once all succeed with the same keys (one creates, the others load)', async () => {
    const dir = tempDir('race');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => loadOrCreateSecrets({ dir, mayCreate: true })),
    );
    const checks = new Set(results.map((r) => r.keyCheck));
    expect(checks.size).toBe(1);
    const jwks = results.map((r) => JSON.stringify(r.keys.toJWKS()));
    expect(new Set(jwks).size).toBe(1);
    const fingerprints = results.map((r) => new X509Certificate(r.ca.certificatePem).fingerprint256);
    expect(new Set(fingerprints).size).toBe(1);
    expect(existsSync(join(dir, '.secrets.lock'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('two embedded runtimes started together on one empty data directory share keys and users', async () => {
    const dataDir = tempDir('race-embedded');
    const [a, b] = await Promise.all([openEmbeddedAuth({ dataDir }), openEmbeddedAuth({ dataDir })]);
    try {
      expect(a.auth.jwks()).toEqual(b.auth.jwks());
      expect(a.auth.caCertificatePem()).toBe(b.auth.caCertificatePem());
      const body = newUserBody();
      const reg = await a.auth.register(body);
      const login = await loginWithSignature(b.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a lock left by an interrupted start is reported, never broken, and the advice spares the keys', async () => {
    const dir = tempDir('stale-lock');
    writeFileSync(join(dir, '.secrets.lock'), '999999\n');
    const error = await loadOrCreateSecrets({ dir, mayCreate: true, lockTimeoutMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'SECRETS_LOCKED',
      message: expect.stringContaining('.secrets.lock'),
    });
    expect((error as Error).message).toMatch(/never the key files/);
    expect((error as Error).message).not.toMatch(/remove (both|the key|ca|jwt)/i);
    expect(existsSync(join(dir, '.secrets.lock'))).toBe(true);
    expect(existsSync(join(dir, 'keyvault-kem.key'))).toBe(false);
  });
});
