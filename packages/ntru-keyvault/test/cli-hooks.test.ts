import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCapsuleStore } from '../src/file-capsule-store.js';
import { keyvaultInit } from '../src/keyvault-init.js';
import { keyvaultRotateKem } from '../src/keyvault-rotate-kem.js';
import { keyvaultStatus } from '../src/keyvault-status.js';
import { keyvaultUnwrapCheck } from '../src/keyvault-unwrap-check.js';
import { loadKemPrivateKey } from '../src/load-kem-private-key.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'city-kv-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('CLI hooks', () => {
  it('init → status → unwrap --check → rotate-kem → unwrap --check', async () => {
    const store = new FileCapsuleStore(join(dir, 'vault'));
    expect(await keyvaultStatus({ store })).toEqual({ initialised: false, store: store.describe() });
    const now = new Date('2026-05-06T07:08:09.000Z');
    const init = await keyvaultInit({ store, privateKeyFile: join(dir, 'kem.key'), now });
    expect(init).toMatchObject({
      algorithm: 'ntru-hrss-701',
      createdAt: now,
      privateKeyFile: join(dir, 'kem.key'),
    });
    expect(init.privateKeyPem).toBeUndefined();
    expect((await stat(join(dir, 'kem.key'))).mode & 0o777).toBe(0o600);
    expect(await keyvaultStatus({ store })).toEqual({
      initialised: true,
      store: store.describe(),
      algorithm: 'ntru-hrss-701',
      keyId: init.keyId,
      createdAt: now,
      capsuleVersion: 1,
      capsuleBytes: 1288,
    });
    const privateKey = await loadKemPrivateKey({ file: join(dir, 'kem.key') });
    expect(await keyvaultUnwrapCheck({ store, privateKey })).toMatchObject({
      ok: true,
      keyId: init.keyId,
      masterKeyBytes: 96,
    });

    const rotated = await keyvaultRotateKem({ store, privateKey, algorithm: 'x25519+ml-kem-768' });
    expect(rotated.previous).toEqual({ algorithm: 'ntru-hrss-701', keyId: init.keyId });
    expect(rotated.current.algorithm).toBe('x25519+ml-kem-768');
    expect(rotated.privateKeyPem).toMatch(/^-----BEGIN CITY KEM PRIVATE KEY-----/);
    expect(await keyvaultUnwrapCheck({ store, privateKey })).toMatchObject({
      ok: false,
      code: 'KEYVAULT_UNWRAP_FAILED',
    });
    const next = await loadKemPrivateKey({ env: { K: rotated.privateKeyPem }, envVar: 'K' });
    expect(await keyvaultUnwrapCheck({ store, privateKey: next })).toMatchObject({
      ok: true,
      keyId: rotated.current.keyId,
    });
  });

  it('init refuses an existing vault and never overwrites a key file', async () => {
    const store = new MemoryCapsuleStore();
    const result = await keyvaultInit({ store });
    expect(result.privateKeyPem).toMatch(/CITY KEM PRIVATE KEY/);
    await expectCode(keyvaultInit({ store }), 'KEYVAULT_EXISTS');
    const keyFile = join(dir, 'existing.key');
    await keyvaultInit({ store: new MemoryCapsuleStore(), privateKeyFile: keyFile });
    const before = await readFile(keyFile, 'utf8');
    const exists = await expectCode(
      keyvaultInit({ store: new MemoryCapsuleStore(), privateKeyFile: keyFile }),
      'INVALID_ARGUMENT',
    );
    expect((exists.cause as NodeJS.ErrnoException).code).toBe('EEXIST');
    expect(await readFile(keyFile, 'utf8')).toBe(before);
  });

  it('unwrap --check reports an uninitialised store and a malformed key as data', async () => {
    const store = new MemoryCapsuleStore();
    expect(await keyvaultUnwrapCheck({ store, privateKey: 'x' })).toMatchObject({
      ok: false,
      code: 'KEYVAULT_NOT_INITIALISED',
    });
    await keyvaultInit({ store });
    expect(await keyvaultUnwrapCheck({ store, privateKey: 'not a key' })).toMatchObject({
      ok: false,
      code: 'KEY_MALFORMED',
    });
  });
});
