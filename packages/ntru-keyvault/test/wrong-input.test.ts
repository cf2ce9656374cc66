/** Wrong-input matrix: every public function rejects malformed, missing, oversized and hostile input with a code. */
import { describe, expect, it } from 'vitest';
import { decodeCapsule } from '../src/decode-capsule.js';
import { encodeCapsule } from '../src/encode-capsule.js';
import { FileCapsuleStore } from '../src/file-capsule-store.js';
import { formatKemPrivateKeyPem } from '../src/format-kem-private-key-pem.js';
import { generateKemKeyPair, kemKeyPairFromPrivateKey } from '../src/generate-kem-key-pair.js';
import { KeyVault } from '../src/key-vault.js';
import { keyvaultStatus } from '../src/keyvault-status.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { readCapsuleHeader } from '../src/read-capsule-header.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { wrapKey } from '../src/wrap-key.js';
import { expectCode } from './_helpers.js';

const pair = await generateKemKeyPair('ml-kem-768');
const capsule = await wrapKey(new Uint8Array(32), pair.publicKey);
const notBytes: unknown[] = [undefined, null, 'abc', 42, [1, 2, 3], {}, new ArrayBuffer(4)];
const notStrings: unknown[] = [undefined, null, 42, {}, new Uint8Array(4)];
const badKeyStrings = [
  '',
  'not base64 !',
  'QUJD',
  'Q0tWSw==',
  pair.publicKey.slice(0, -8),
  'x'.repeat(20_000),
];

describe('wrong input', () => {
  it('generateKemKeyPair: unknown algorithms', async () => {
    for (const algorithm of [
      'ntru',
      'ML-KEM-768',
      'x25519',
      'ntru-hrss-1373',
      '',
      'constructor',
      '__proto__',
    ]) {
      await expectCode(generateKemKeyPair(algorithm as never), 'KEM_ALGORITHM_UNSUPPORTED');
    }
  });

  it('wrapKey: key type/size, public key, label, keyId, now', async () => {
    for (const key of notBytes) await expectCode(wrapKey(key as never, pair.publicKey), 'INVALID_ARGUMENT');
    await expectCode(wrapKey(new Uint8Array(0), pair.publicKey), 'INVALID_ARGUMENT');
    const oversized = await expectCode(wrapKey(new Uint8Array(1025), pair.publicKey), 'INVALID_ARGUMENT');
    expect(oversized.message).toBe('"key" expected 1..1024 bytes, got 1025');
    for (const publicKey of notStrings)
      await expectCode(wrapKey(new Uint8Array(1), publicKey as never), 'INVALID_ARGUMENT');
    for (const publicKey of badKeyStrings)
      await expectCode(wrapKey(new Uint8Array(1), publicKey), 'KEY_MALFORMED');
    await expectCode(wrapKey(new Uint8Array(1), pair.privateKey), 'KEY_MALFORMED');
    for (const label of ['', 'x'.repeat(257), 5]) {
      await expectCode(
        wrapKey(new Uint8Array(1), pair.publicKey, { label: label as never }),
        'INVALID_ARGUMENT',
      );
    }
    await expectCode(
      wrapKey(new Uint8Array(1), pair.publicKey, { keyId: '0000000000000000' }),
      'INVALID_ARGUMENT',
    );
    for (const now of [new Date(Number.NaN), new Date(-1), '2026-01-01']) {
      await expectCode(wrapKey(new Uint8Array(1), pair.publicKey, { now: now as never }), 'INVALID_ARGUMENT');
    }
  });

  it('a public key naming an unknown algorithm id is KEM_ALGORITHM_UNSUPPORTED', async () => {
    const bytes = Buffer.from(pair.publicKey, 'base64');
    bytes[6] = 0x7f;
    await expectCode(wrapKey(new Uint8Array(1), bytes.toString('base64')), 'KEM_ALGORITHM_UNSUPPORTED');
  });

  it('unwrapKey: capsule type, private key', async () => {
    for (const value of notBytes)
      await expectCode(unwrapKey(value as never, pair.privateKey), 'INVALID_ARGUMENT');
    for (const privateKey of notStrings)
      await expectCode(unwrapKey(capsule, privateKey as never), 'INVALID_ARGUMENT');
    for (const privateKey of badKeyStrings) await expectCode(unwrapKey(capsule, privateKey), 'KEY_MALFORMED');
    await expectCode(unwrapKey(capsule, pair.publicKey), 'KEY_MALFORMED');
    await expectCode(unwrapKey(new Uint8Array(100_000), pair.privateKey), 'CAPSULE_MALFORMED');
  });

  it('encodeCapsule / decodeCapsule / readCapsuleHeader', async () => {
    for (const value of notBytes) {
      await expectCode(() => encodeCapsule(value as never), 'INVALID_ARGUMENT');
      await expectCode(() => readCapsuleHeader(value as never), 'INVALID_ARGUMENT');
    }
    for (const value of notStrings) await expectCode(() => decodeCapsule(value as never), 'INVALID_ARGUMENT');
    const text = encodeCapsule(capsule);
    for (const bad of [
      '',
      '!!!!',
      text.slice(0, -4),
      `${text}AAAA`,
      'A'.repeat(20_000),
      Buffer.from('CKVC').toString('base64'),
    ]) {
      await expectCode(() => decodeCapsule(bad), 'CAPSULE_MALFORMED');
    }
    await expectCode(() => readCapsuleHeader(new Uint8Array(10)), 'CAPSULE_MALFORMED');
  });

  it('kemKeyPairFromPrivateKey / formatKemPrivateKeyPem', async () => {
    for (const value of notStrings) {
      await expectCode(() => kemKeyPairFromPrivateKey(value as never), 'INVALID_ARGUMENT');
      await expectCode(() => formatKemPrivateKeyPem(value as never), 'INVALID_ARGUMENT');
    }
    for (const bad of badKeyStrings) await expectCode(() => kemKeyPairFromPrivateKey(bad), 'KEY_MALFORMED');
  });

  it('KeyVault: missing store, bad private key, bad purposes', async () => {
    for (const store of [undefined, null, {}, { read() {} }]) {
      await expectCode(KeyVault.init({ store: store as never }), 'INVALID_ARGUMENT');
      await expectCode(
        KeyVault.open({ store: store as never, privateKey: pair.privateKey }),
        'INVALID_ARGUMENT',
      );
      await expectCode(keyvaultStatus({ store: store as never }), 'INVALID_ARGUMENT');
    }
    await expectCode(KeyVault.init(undefined as never), 'INVALID_ARGUMENT');
    const store = new MemoryCapsuleStore();
    const { vault } = await KeyVault.init({ store });
    await expectCode(KeyVault.open({ store, privateKey: 'garbage' }), 'KEY_MALFORMED');
    await expectCode(
      KeyVault.init({ store: new MemoryCapsuleStore(), algorithm: 'rsa' as never }),
      'KEM_ALGORITHM_UNSUPPORTED',
    );
    for (const purpose of ['', 'UPPER', 'has space', 'x'.repeat(65), 5, '../x']) {
      await expectCode(vault.dataKey(purpose as never), 'INVALID_ARGUMENT');
      await expectCode(vault.fieldCipher(purpose as never), 'INVALID_ARGUMENT');
    }
    await expectCode(vault.rotateKem(undefined as never), 'INVALID_ARGUMENT');
    await expectCode(vault.rotateKem({ privateKey: 'x' } as never), 'KEY_MALFORMED');
  });

  it('stores: bad directory, names, payloads', async () => {
    await expectCode(() => new FileCapsuleStore(''), 'INVALID_ARGUMENT');
    await expectCode(() => new FileCapsuleStore(5 as never), 'INVALID_ARGUMENT');
    const store = new MemoryCapsuleStore();
    for (const value of notBytes) await expectCode(store.write('a', value as never), 'INVALID_ARGUMENT');
  });

  it('FieldCipher: plaintext, ciphertext, context, blind index inputs', async () => {
    const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
    const cipher = await vault.fieldCipher();
    const context = { table: 't', recordKey: 'r', attribute: 'a' };
    for (const value of notStrings) {
      await expectCode(() => cipher.encrypt(value as never, context), 'INVALID_ARGUMENT');
      await expectCode(() => cipher.decrypt(value as never, context), 'INVALID_ARGUMENT');
      await expectCode(() => cipher.blindIndex('email', value as never), 'INVALID_ARGUMENT');
    }
    await expectCode(() => cipher.encrypt('\ud800', context), 'INVALID_ARGUMENT');
    await expectCode(() => cipher.encrypt('x'.repeat((1 << 20) + 1), context), 'INVALID_ARGUMENT');
    const stored = cipher.encrypt('x', context);
    for (const bad of [
      undefined,
      null,
      {},
      { ...context, table: '' },
      { ...context, attribute: 5 },
      { ...context, recordKey: 'r'.repeat(1025) },
    ]) {
      await expectCode(() => cipher.encrypt('x', bad as never), 'INVALID_ARGUMENT');
      await expectCode(() => cipher.decrypt(stored, bad as never), 'INVALID_ARGUMENT');
    }
    await expectCode(() => cipher.decrypt('f1.'.repeat(1 << 20), context), 'FIELD_DECRYPT_FAILED');
    for (const purpose of ['', 'Email', 5])
      await expectCode(() => cipher.blindIndex(purpose as never, 'x'), 'INVALID_ARGUMENT');
    await expectCode(() => cipher.blindIndex('email', 'x'.repeat(4097)), 'INVALID_ARGUMENT');
  });
});
