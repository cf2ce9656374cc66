/**
 * `keyvaultInit` is all or nothing: a private key file that cannot be written leaves no capsule
 * (a capsule whose key is lost would make the data directory unusable), a capsule that cannot be
 * written leaves no key file, an existing key file is never overwritten, and a retry succeeds.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCapsuleStore } from '../src/file-capsule-store.js';
import { keyvaultInit } from '../src/keyvault-init.js';
import { keyvaultStatus } from '../src/keyvault-status.js';
import { keyvaultUnwrapCheck } from '../src/keyvault-unwrap-check.js';
import { loadKemPrivateKey } from '../src/load-kem-private-key.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'city-kv-atomic-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('keyvaultInit is atomic', () => {
  it('an unwritable key file names the path and leaves no capsule; the retry works', async () => {
    const store = new FileCapsuleStore(join(dir, 'vault-a'));
    await writeFile(join(dir, 'a-file'), 'x');
    for (const bad of [join(dir, 'a-file', 'kem.key'), join(dir, 'missing', 'kem.key'), dir]) {
      const error = await expectCode(keyvaultInit({ store, privateKeyFile: bad }), 'INVALID_ARGUMENT');
      expect(error.message).toContain(bad);
      expect((await keyvaultStatus({ store })).initialised).toBe(false);
    }
    const good = join(dir, 'kem-a.key');
    const init = await keyvaultInit({ store, privateKeyFile: good });
    const check = await keyvaultUnwrapCheck({ store, privateKey: await loadKemPrivateKey({ file: good }) });
    expect(check).toMatchObject({ ok: true, keyId: init.keyId });
  });

  it('an existing key file is refused untouched, before anything is written', async () => {
    const store = new FileCapsuleStore(join(dir, 'vault-b'));
    const existing = join(dir, 'kem-b.key');
    await writeFile(existing, 'precious');
    const error = await expectCode(keyvaultInit({ store, privateKeyFile: existing }), 'INVALID_ARGUMENT');
    expect(error.message).toContain(existing);
    expect(await readFile(existing, 'utf8')).toBe('precious');
    expect((await keyvaultStatus({ store })).initialised).toBe(false);
  });

  it('a capsule that cannot be written leaves no key file behind', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'not a directory');
    const store = new FileCapsuleStore(join(blocked, 'vault'));
    const keyFile = join(dir, 'keys-c', 'kem.key');
    await mkdir(join(dir, 'keys-c'));
    await expect(keyvaultInit({ store, privateKeyFile: keyFile })).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readdir(join(dir, 'keys-c'))).toEqual([]);
  });

  it('an existing vault is refused before a key file is created', async () => {
    const store = new MemoryCapsuleStore();
    await keyvaultInit({ store });
    const keyFile = join(dir, 'kem-d.key');
    await expectCode(keyvaultInit({ store, privateKeyFile: keyFile }), 'KEYVAULT_EXISTS');
    await expect(readFile(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
