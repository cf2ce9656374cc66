/**
 * MongoDB CSFLE glue: the local KMS options and the native module's availability. The round trip
 * of createCsfleDataKey / createEncryptedCollection against a MongoDB wire server, read back by
 * real libmongocrypt, is @city/db-integration's csfle-libmongocrypt-interop test (it has the server).
 */
import { describe, expect, it } from 'vitest';
import { csfleOptions } from '../src/csfle-options.js';
import { csfleStatus } from '../src/csfle-status.js';
import { KeyVault } from '../src/key-vault.js';
import { loadClientEncryption } from '../src/lib/_load-client-encryption.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const clientEncryptionLoads = await loadClientEncryption().then(
  () => true,
  () => false,
);

describe('csfleOptions', async () => {
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });

  it('gives the local KMS provider the 96-byte master key', () => {
    const options = csfleOptions(vault, { keyVaultNamespace: 'encryption.__keyVault' });
    expect(options.keyVaultNamespace).toBe('encryption.__keyVault');
    expect(options.kmsProviders.local.key).toBeInstanceOf(Buffer);
    expect(new Uint8Array(options.kmsProviders.local.key)).toEqual(vault.masterKey);
  });

  it('rejects a bad namespace', async () => {
    for (const keyVaultNamespace of ['', 'nodot', '.x', 'db.', 'a b.c', 'a$b.c']) {
      await expectCode(() => csfleOptions(vault, { keyVaultNamespace }), 'INVALID_ARGUMENT');
    }
  });
});

describe('CSFLE unavailable', () => {
  it('a module that cannot be loaded gives CSFLE_UNAVAILABLE naming the module and how to install it', async () => {
    const error = await expectCode(
      loadClientEncryption('mongodb-client-encryption-not-installed'),
      'CSFLE_UNAVAILABLE',
    );
    expect(error.message).toMatch(
      /native module "mongodb-client-encryption-not-installed" could not be loaded/,
    );
    expect(error.message).toMatch(/pnpm add mongodb-client-encryption/);
  });

  it('csfleStatus says whether the native module loads, and never throws', async () => {
    const status = await csfleStatus();
    expect(status.available).toBe(clientEncryptionLoads);
    if (!status.available) expect(status.reason).toMatch(/built-in implementation of its wire format/);
  });
});
