import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyVault } from '../src/key-vault.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const context = { table: 'users', recordKey: 'user-1', attribute: 'address' };

function lp(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

describe('FieldCipher', async () => {
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
  const cipher = await vault.fieldCipher();

  it('round-trips text, including empty and non-ASCII values', () => {
    for (const value of ['', 'a', '東京都千代田区千代田1-1', '😀'.repeat(1000), '0'.repeat(100_000)]) {
      expect(cipher.decrypt(cipher.encrypt(value, context), context)).toBe(value);
    }
  });

  it('encrypts to a fresh self-describing string each time', () => {
    const a = cipher.encrypt('same', context);
    const b = cipher.encrypt('same', context);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^f1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a.split('.')[1]).toBe(cipher.dataKeyId);
  });

  it('matches the documented format (independent decryption with node:crypto)', async () => {
    const dataKey = await vault.dataKey('pii');
    const [, keyId, nonce, body] = cipher.encrypt('090-1234-5678', context).split('.') as [
      string,
      string,
      string,
      string,
    ];
    const key = Buffer.from(hkdfSync('sha256', dataKey, 'city/field-cipher/v1', 'aes-256-gcm', 32));
    const raw = Buffer.from(body, 'base64url');
    const gcm = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    gcm.setAAD(lp('city/field/v1', keyId, context.table, context.recordKey, context.attribute));
    gcm.setAuthTag(raw.subarray(raw.length - 16));
    expect(Buffer.concat([gcm.update(raw.subarray(0, raw.length - 16)), gcm.final()]).toString()).toBe(
      '090-1234-5678',
    );
  });

  it('rejects any modified ciphertext with FIELD_DECRYPT_FAILED', async () => {
    const stored = cipher.encrypt('secret', context);
    for (let i = 0; i < stored.length; i++) {
      const replacement = stored[i] === 'A' ? 'B' : 'A';
      const tampered = stored.slice(0, i) + replacement + stored.slice(i + 1);
      await expectCode(() => cipher.decrypt(tampered, context), 'FIELD_DECRYPT_FAILED');
    }
    for (const bad of ['', 'f1', 'f2.x.y.z', `${stored}.x`, stored.slice(0, -1), `${stored}=`, 'f1....']) {
      await expectCode(() => cipher.decrypt(bad, context), 'FIELD_DECRYPT_FAILED');
    }
  });

  it('a ciphertext from another vault or purpose fails', async () => {
    const { vault: other } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    const stored = (await other.fieldCipher()).encrypt('x', context);
    await expectCode(() => cipher.decrypt(stored, context), 'FIELD_DECRYPT_FAILED');
    const otherPurpose = (await vault.fieldCipher('audit')).encrypt('x', context);
    await expectCode(() => cipher.decrypt(otherPurpose, context), 'FIELD_DECRYPT_FAILED');
  });
});

describe('blind indexes', async () => {
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
  const cipher = await vault.fieldCipher();

  it('are deterministic 64-hex HMACs over the normalised value', async () => {
    const index = cipher.blindIndex('email', 'Alice@Example.org');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.blindIndex('email', '  alice@example.org ')).toBe(index);
    expect(cipher.blindIndex('email', 'ＡＬＩＣＥ@example.org')).toBe(index); // NFKC folds full-width
    expect((await vault.fieldCipher()).blindIndex('email', 'alice@example.org')).toBe(index);
    // Independent recomputation per README: HMAC-SHA-256(HKDF(dataKey, info = LP("blind-index") ‖ LP(purpose))).
    const dataKey = await vault.dataKey('pii');
    const key = Buffer.from(
      hkdfSync('sha256', dataKey, 'city/field-cipher/v1', lp('blind-index', 'email'), 32),
    );
    expect(createHmac('sha256', key).update('alice@example.org').digest('hex')).toBe(index);
  });

  it('are separated by purpose, value and vault', async () => {
    const email = cipher.blindIndex('email', '123456789012');
    expect(cipher.blindIndex('mynumber', '123456789012')).not.toBe(email);
    expect(cipher.blindIndex('email', '123456789013')).not.toBe(email);
    const { vault: other } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    expect((await other.fieldCipher()).blindIndex('email', '123456789012')).not.toBe(email);
    expect((await vault.fieldCipher('other')).blindIndex('email', '123456789012')).not.toBe(email);
  });
});
