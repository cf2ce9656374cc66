import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCapsuleStore } from '../src/file-capsule-store.js';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { KeyVault } from '../src/key-vault.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { expectCode } from './_helpers.js';

const context = { table: 'users', recordKey: 'u-1', attribute: 'mynumber' };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'city-keyvault-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('KeyVault', () => {
  it('init stores a 96-byte master key capsule that the private key unwraps', async () => {
    const store = new MemoryCapsuleStore();
    const now = new Date('2026-03-04T05:06:07.000Z');
    const { vault, kemKeyPair } = await KeyVault.init({ store, now });
    expect(vault.masterKey).toHaveLength(96);
    expect(vault.status()).toEqual({
      algorithm: 'ntru-hrss-701',
      keyId: kemKeyPair.keyId,
      createdAt: now,
      store: 'memory',
    });
    const capsule = (await store.read('master'))!;
    expect(await unwrapKey(capsule, kemKeyPair.privateKey, { label: 'city/keyvault/master' })).toEqual(
      vault.masterKey,
    );
  });

  it('refuses to init twice and to open an empty store', async () => {
    const store = new MemoryCapsuleStore();
    const { kemKeyPair } = await KeyVault.init({ store, algorithm: 'ml-kem-768' });
    await expectCode(KeyVault.init({ store }), 'KEYVAULT_EXISTS');
    await expectCode(
      KeyVault.open({ store: new MemoryCapsuleStore(), privateKey: kemKeyPair.privateKey }),
      'KEYVAULT_NOT_INITIALISED',
    );
  });

  it('open returns the same master key and data keys; a wrong key fails', async () => {
    const store = new FileCapsuleStore(dir);
    const { vault, kemKeyPair } = await KeyVault.init({ store, algorithm: 'x25519+ntru-hrss-701' });
    const dataKey = await vault.dataKey('refresh-grace');
    expect(dataKey).toHaveLength(32);
    expect(await vault.dataKey('refresh-grace')).toEqual(dataKey);
    expect(await vault.dataKey('other')).not.toEqual(dataKey);
    const reopened = await KeyVault.open({ store, privateKey: kemKeyPair.privateKey });
    expect(reopened.masterKey).toEqual(vault.masterKey);
    expect(await reopened.dataKey('refresh-grace')).toEqual(dataKey);
    const other = await generateKemKeyPair('x25519+ntru-hrss-701');
    await expectCode(KeyVault.open({ store, privateKey: other.privateKey }), 'KEYVAULT_UNWRAP_FAILED');
  });

  it('rotateKem: the new key opens, the old one no longer does, data keys and field ciphertexts survive', async () => {
    const store = new MemoryCapsuleStore();
    const { vault, kemKeyPair: old } = await KeyVault.init({ store });
    const cipher = await vault.fieldCipher();
    const stored = cipher.encrypt('1234 5678 9012', context);
    const next = await generateKemKeyPair('x25519+ml-kem-768');
    await vault.rotateKem(next, { now: new Date('2027-01-01T00:00:00Z') });
    expect(vault.status()).toMatchObject({ algorithm: 'x25519+ml-kem-768', keyId: next.keyId });
    await expectCode(KeyVault.open({ store, privateKey: old.privateKey }), 'KEYVAULT_UNWRAP_FAILED');
    const reopened = await KeyVault.open({ store, privateKey: next.privateKey });
    expect(reopened.masterKey).toEqual(vault.masterKey);
    expect((await reopened.fieldCipher()).decrypt(stored, context)).toBe('1234 5678 9012');
  });

  it('rotateKem rejects a key pair whose halves do not match', async () => {
    const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    const a = await generateKemKeyPair();
    const b = await generateKemKeyPair();
    await expectCode(vault.rotateKem({ ...a, publicKey: b.publicKey }), 'KEY_MALFORMED');
  });

  it('rotateMasterKey: new master key, same data keys, field ciphertexts stay decryptable after reopening', async () => {
    const store = new FileCapsuleStore(dir);
    const { vault, kemKeyPair } = await KeyVault.init({ store });
    const before = vault.masterKey;
    const cipher = await vault.fieldCipher('pii');
    const stored = cipher.encrypt('東京都千代田区1-1', context);
    const index = cipher.blindIndex('email', 'alice@example.org');
    const sealKey = await vault.dataKey('refresh-grace');
    await vault.rotateMasterKey();
    expect(vault.masterKey).not.toEqual(before);
    const reopened = await KeyVault.open({ store, privateKey: kemKeyPair.privateKey });
    expect(reopened.masterKey).toEqual(vault.masterKey);
    const after = await reopened.fieldCipher('pii');
    expect(after.decrypt(stored, context)).toBe('東京都千代田区1-1');
    expect(after.blindIndex('email', 'alice@example.org')).toBe(index);
    expect(await reopened.dataKey('refresh-grace')).toEqual(sealKey);
    expect(await reopened.dataKeyPurposes()).toEqual(['pii', 'refresh-grace']);
  });

  it('open finishes a master-key rotation interrupted after the data keys were rewritten', async () => {
    const store = new MemoryCapsuleStore();
    const { vault, kemKeyPair } = await KeyVault.init({ store });
    const sealKey = await vault.dataKey('seal');
    const oldMaster = (await store.read('master'))!;
    await vault.rotateMasterKey();
    await store.write('master', oldMaster); // simulate a crash before the final write
    const reopened = await KeyVault.open({ store, privateKey: kemKeyPair.privateKey });
    expect(reopened.masterKey).toEqual(vault.masterKey);
    expect(await reopened.dataKey('seal')).toEqual(sealKey);
  });

  it('concurrent dataKey calls for one purpose agree', async () => {
    const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    const keys = await Promise.all(Array.from({ length: 8 }, () => vault.dataKey('same')));
    for (const key of keys) expect(key).toEqual(keys[0]);
  });

  it('never shows the master key in JSON, inspect or String', async () => {
    const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    const hex = Buffer.from(vault.masterKey).toString('hex');
    const b64 = Buffer.from(vault.masterKey).toString('base64');
    for (const shown of [JSON.stringify(vault), inspect(vault, { showHidden: true }), String(vault)]) {
      expect(shown).not.toContain(hex.slice(0, 16));
      expect(shown).not.toContain(b64.slice(0, 16));
      expect(shown).toContain('REDACTED');
    }
    const cipher = await vault.fieldCipher();
    expect(JSON.stringify(cipher)).not.toContain(
      Buffer.from(await vault.dataKey('pii'))
        .toString('hex')
        .slice(0, 16),
    );
  });

  it('openOrInit creates once, writes the key file 0600, then opens with it', async () => {
    const store = new FileCapsuleStore(join(dir, 'vault'));
    const privateKeyFile = join(dir, 'kem.key');
    const first = await KeyVault.openOrInit({ store, privateKeyFile, algorithm: 'ml-kem-1024' });
    expect(first.created).toBe(true);
    expect((await stat(privateKeyFile)).mode & 0o777).toBe(0o600);
    const second = await KeyVault.openOrInit({ store, privateKeyFile });
    expect(second.created).toBe(false);
    expect(second.vault.masterKey).toEqual(first.vault.masterKey);
    expect(second.kemKeyPair.keyId).toBe(first.kemKeyPair.keyId);
    await expectCode(KeyVault.openOrInit({ store }), 'INVALID_ARGUMENT');
  });
});

describe('FileCapsuleStore', () => {
  it('writes atomically with mode 0600 and leaves no temporary files', async () => {
    const store = new FileCapsuleStore(join(dir, 'nested'));
    expect(await store.read('master')).toBeUndefined();
    await store.write('master', new Uint8Array([1, 2, 3]));
    await store.write('master', new Uint8Array([4, 5]));
    expect(await store.read('master')).toEqual(new Uint8Array([4, 5]));
    expect((await stat(join(dir, 'nested', 'master.capsule'))).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['master.capsule']);
    expect(store.describe()).toBe(`file:${join(dir, 'nested')}`);
  });

  it('rejects names that could escape the directory', async () => {
    const store = new FileCapsuleStore(dir);
    for (const name of ['../x', 'a/b', '', '.hidden', 'A', 'x'.repeat(65)]) {
      await expectCode(store.write(name, new Uint8Array(1)), 'INVALID_ARGUMENT');
      await expectCode(store.read(name), 'INVALID_ARGUMENT');
    }
  });

  it('does not follow into a corrupted capsule silently', async () => {
    const store = new FileCapsuleStore(dir);
    const { kemKeyPair } = await KeyVault.init({ store });
    await writeFile(join(dir, 'master.capsule'), 'garbage');
    await expectCode(KeyVault.open({ store, privateKey: kemKeyPair.privateKey }), 'CAPSULE_MALFORMED');
  });
});

describe('MemoryCapsuleStore', () => {
  it('stores copies', async () => {
    const store = new MemoryCapsuleStore();
    const bytes = new Uint8Array([1, 2, 3]);
    await store.write('a', bytes);
    bytes[0] = 9;
    const read = (await store.read('a'))!;
    read[1] = 9;
    expect(await store.read('a')).toEqual(new Uint8Array([1, 2, 3]));
  });
});
