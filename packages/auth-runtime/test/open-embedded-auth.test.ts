import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedAuth } from '../src/open-embedded-auth.js';
import { expectAuthError, loginWithSignature, newUserBody } from './support/runtime-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'city-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('openEmbeddedAuth', () => {
  it('creates keys and data on first start, and reuses them on the second', async () => {
    const body = newUserBody();
    const first = await openEmbeddedAuth({ dataDir });
    let reg: Awaited<ReturnType<typeof first.auth.register>>;
    let jwks: unknown;
    try {
      reg = await first.auth.register(body);
      jwks = first.auth.jwks();
      expect(first.describe.mode).toBe('embedded');
    } finally {
      await first.close();
      await first.close();
    }
    // One root key in the clear (0600); the CA and JWT keys only sealed in the key vault's store.
    expect((statSync(join(dataDir, 'keyvault-kem.key')).mode & 0o777).toString(8)).toBe('600');
    for (const capsule of ['master', 'datakeys', 'service-ca', 'service-jwt']) {
      const path = join(dataDir, 'keyvault', `${capsule}.capsule`);
      expect((statSync(path).mode & 0o777).toString(8), capsule).toBe('600');
      expect(readFileSync(path, 'latin1'), capsule).not.toMatch(/PRIVATE KEY|"d":/);
    }
    for (const plain of ['ca.pem', 'ca-key.pem', 'jwt-keys.json']) {
      expect(existsSync(join(dataDir, plain)), plain).toBe(false);
    }
    const caPem = reg.caCertificatePem;

    const second = await openEmbeddedAuth({ dataDir });
    try {
      expect(second.auth.caCertificatePem()).toBe(caPem);
      expect(second.auth.jwks()).toEqual(jwks);
      // The user written before the restart logs in: records, certificate, PII cipher all reused.
      const login = await loginWithSignature(second.auth, {
        identifier: String(body.username),
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
      await expectAuthError(second.auth.register(body), 'USERNAME_TAKEN');
    } finally {
      await second.close();
    }
  });

  it('returns the store counters and the signing keys with issuer and audience', async () => {
    const runtime = await openEmbeddedAuth({
      dataDir,
      config: { issuer: 'https://auth.embedded.test', audience: 'embedded-aud' },
    });
    try {
      expect(runtime.jwt.issuer).toBe('https://auth.embedded.test');
      expect(runtime.jwt.audience).toBe('embedded-aud');
      expect(runtime.jwt.keys.toJWKS()).toEqual(runtime.auth.jwks());
      // The counters are the runtime's own store: what the service counts is visible through them.
      const now = Date.now();
      await runtime.counters.increment('runtime-test', now, 60_000);
      expect((await runtime.counters.increment('runtime-test', now, 60_000)).count).toBe(2);
    } finally {
      await runtime.close();
    }
  });

  it('keeps records in <dataDir>/city.db (0600) by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-embedded-sqlite-'));
    try {
      const runtime = await openEmbeddedAuth({ dataDir: dir });
      try {
        expect(runtime.describe).toMatchObject({ store: 'sqlite', sqlite: join(dir, 'city.db') });
        await runtime.auth.register(newUserBody());
      } finally {
        await runtime.close();
      }
      expect((statSync(join(dir, 'city.db')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a directory holding only dynalite data with dynalite, so its users still log in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-embedded-dynalite-'));
    try {
      const body = newUserBody();
      const first = await openEmbeddedAuth({ dataDir: dir, store: 'dynalite' });
      let reg: Awaited<ReturnType<typeof first.auth.register>>;
      try {
        expect(first.describe.store).toBe('dynalite');
        reg = await first.auth.register(body);
      } finally {
        await first.close();
      }
      const second = await openEmbeddedAuth({ dataDir: dir });
      try {
        expect(second.describe.store).toBe('dynalite');
        const login = await loginWithSignature(second.auth, {
          identifier: String(body.username),
          deviceId: reg.deviceId,
          privateKeyPem: reg.privateKeyPem as string,
        });
        expect(login.user.uuid).toBe(reg.uuid);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a data directory path that is a file, or under a file, is CONFIG_INVALID naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-embedded-file-'));
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      for (const dataDir of [file, join(file, 'below')]) {
        await expect(openEmbeddedAuth({ dataDir })).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining(dataDir),
        });
      }
      expect(readFileSync(file, 'utf8')).toBe('x');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults issuer and audience to the core defaults', async () => {
    const runtime = await openEmbeddedAuth({ dataDir });
    try {
      expect(runtime.jwt).toMatchObject({ issuer: 'city-chain-auth', audience: 'city-chain' });
    } finally {
      await runtime.close();
    }
  });
});
