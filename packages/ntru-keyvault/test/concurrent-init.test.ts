/**
 * Two processes creating a vault in one shared store at once (two instances starting together):
 * `writeIfAbsent` lets exactly one master capsule in, the other init gets KEYVAULT_EXISTS, and the
 * stored capsule is the winner's, opened by the winner's key only.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapsuleStore } from '../src/capsule-store.js';
import { FileCapsuleStore } from '../src/file-capsule-store.js';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { KeyVault } from '../src/key-vault.js';
import { MemoryCapsuleStore } from '../src/memory-capsule-store.js';
import { expectCode } from './_helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'city-kv-concurrent-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const stores: ReadonlyArray<readonly [string, () => CapsuleStore]> = [
  ['memory', () => new MemoryCapsuleStore()],
  ['file', () => new FileCapsuleStore(join(dir, `vault-${Math.random().toString(16).slice(2)}`))],
];

describe.each(stores)('writeIfAbsent on the %s store', (_kind, make) => {
  it('stores only when the name is free and never replaces', async () => {
    const store = make();
    expect(await store.writeIfAbsent!('datakeys', Uint8Array.of(1, 2))).toBe(true);
    expect(await store.writeIfAbsent!('datakeys', Uint8Array.of(3))).toBe(false);
    expect(await store.read('datakeys')).toEqual(Uint8Array.of(1, 2));
    await store.write('datakeys', Uint8Array.of(4));
    expect(await store.read('datakeys')).toEqual(Uint8Array.of(4));
  });

  it('of two concurrent inits exactly one creates the vault; the other gets KEYVAULT_EXISTS', async () => {
    const store = make();
    const [a, b] = await Promise.all([generateKemKeyPair(), generateKemKeyPair()]);
    const results = await Promise.allSettled([
      KeyVault.init({ store, kemKeyPair: a }),
      KeyVault.init({ store, kemKeyPair: b }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    await expectCode(Promise.reject((lost[0] as PromiseRejectedResult).reason), 'KEYVAULT_EXISTS');
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    const opened = await KeyVault.open({ store, privateKey: winner.privateKey });
    expect(opened.masterKey).toEqual(
      (won[0] as PromiseFulfilledResult<{ vault: KeyVault }>).value.vault.masterKey,
    );
    await expectCode(KeyVault.open({ store, privateKey: loser.privateKey }), 'KEYVAULT_UNWRAP_FAILED');
  });
});

describe('FileCapsuleStore.writeIfAbsent', () => {
  it('leaves no temporary file behind, whether it stored or not', async () => {
    const path = join(dir, 'tidy');
    const store = new FileCapsuleStore(path);
    await store.writeIfAbsent('master', Uint8Array.of(1));
    await store.writeIfAbsent('master', Uint8Array.of(2));
    expect(await readdir(path)).toEqual(['master.capsule']);
  });
});
