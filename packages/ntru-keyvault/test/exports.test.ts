import { describe, expect, it } from 'vitest';

describe('public export list', () => {
  it('is pinned', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'CSFLE_FIELD_PREFIX',
      'DEFAULT_KEM_ALGORITHM',
      'FileCapsuleStore',
      'KEM_ALGORITHMS',
      'KEM_PRIVATE_KEY_ENV',
      'KeyVault',
      'KeyVaultError',
      'MemoryCapsuleStore',
      'assertCapsuleName',
      'createCsfleDataKey',
      'createCsfleFieldCipher',
      'createCsfleLocalDataKey',
      'createEncryptedCollection',
      'csfleKeyIdOf',
      'csfleOptions',
      'csfleStatus',
      'decodeCapsule',
      'decryptCsfleString',
      'encodeCapsule',
      'encryptCsfleString',
      'ensureCsfleFieldKeys',
      'formatKemPrivateKeyPem',
      'generateKemKeyPair',
      'kemKeyPairFromPrivateKey',
      'keyvaultInit',
      'keyvaultRotateKem',
      'keyvaultStatus',
      'keyvaultUnwrapCheck',
      'loadKemPrivateKey',
      'readCapsuleHeader',
      'unwrapCsfleLocalDataKey',
      'unwrapKey',
      'wrapKey',
    ]);
  });
});
