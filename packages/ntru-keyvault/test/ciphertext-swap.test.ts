/**
 * Attack: copy an encrypted field value from one record/attribute/table into another (e.g. give
 * yourself another user's verified mynumber). The AAD binds the value to its location, so it fails.
 */
import { describe, expect, it } from 'vitest';
import { KeyVault } from '../src/key-vault.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

describe('ciphertext swap between records', async () => {
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
  const cipher = await vault.fieldCipher();
  const victim = { table: 'users', recordKey: 'victim', attribute: 'mynumber' };
  const stored = cipher.encrypt('123456789012', victim);

  it('decrypts in place', () => {
    expect(cipher.decrypt(stored, victim)).toBe('123456789012');
  });

  for (const moved of [
    { ...victim, recordKey: 'attacker' },
    { ...victim, attribute: 'phone' },
    { ...victim, table: 'devices' },
    // Ambiguity probes: concatenations that would collide without length prefixes.
    { table: 'users', recordKey: 'victimm', attribute: 'ynumber' },
    { table: 'usersv', recordKey: 'ictim', attribute: 'mynumber' },
  ]) {
    it(`fails when moved to ${JSON.stringify(moved)}`, async () => {
      await expectCode(() => cipher.decrypt(stored, moved), 'FIELD_DECRYPT_FAILED');
    });
  }
});
