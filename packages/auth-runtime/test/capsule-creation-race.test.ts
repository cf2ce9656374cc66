/**
 * Creation race on a shared capsule store, forced deterministically: two instances (separate
 * secrets directories, so no common lock file) both create a whole vault in memory and only then
 * publish, at the same moment. The store's insert-if-absent lets one master capsule in; the other
 * instance must adopt it (same root key) or refuse with SECRETS_MISMATCH (another root key) — never
 * overwrite it or mix capsules of two vaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CapsuleStore,
  formatKemPrivateKeyPem,
  generateKemKeyPair,
  MemoryCapsuleStore,
} from '@city/ntru-keyvault';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from '../src/_load-secrets.js';
import { SecretsError } from '../src/secrets-error.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-race-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** One shared store seen by two instances; each instance's first publish waits for the other's. */
function sharedStoreWithBarrier(): { views: [CapsuleStore, CapsuleStore]; refused: string[] } {
  const shared = new MemoryCapsuleStore();
  const refused: string[] = [];
  let release!: () => void;
  const bothArrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = 0;
  const view = (): CapsuleStore => {
    let first = true;
    return {
      read: (name) => shared.read(name),
      write: (name, capsule) => shared.write(name, capsule),
      describe: () => 'shared-memory',
      writeIfAbsent: async (name, capsule) => {
        if (first) {
          first = false;
          arrived += 1;
          if (arrived === 2) release();
          await bothArrived;
        }
        const stored = await shared.writeIfAbsent(name, capsule);
        if (!stored) refused.push(name);
        return stored;
      },
    };
  };
  return { views: [view(), view()], refused };
}

describe('two instances creating the secrets in one shared capsule store at once', () => {
  it('with one root key: one vault is stored and both load it', async () => {
    const { views, refused } = sharedStoreWithBarrier();
    const pem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const [a, b] = await Promise.all(
      views.map((capsuleStore) =>
        loadOrCreateSecrets({ dir: tempDir(), rootKey: { pem }, capsuleStore, mayCreate: true }),
      ),
    );
    expect(refused).toContain('master');
    expect(a!.keyCheck).toBe(b!.keyCheck);
    expect(a!.keys.toJWKS()).toEqual(b!.keys.toJWKS());
    expect(a!.ca.certificatePem).toBe(b!.ca.certificatePem);
  });

  it('with different root keys: one starts, the other refuses with SECRETS_MISMATCH naming the store', async () => {
    const { views, refused } = sharedStoreWithBarrier();
    const results = await Promise.allSettled(
      views.map((capsuleStore) => loadOrCreateSecrets({ dir: tempDir(), capsuleStore, mayCreate: true })),
    );
    expect(refused).toContain('master');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const error = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(SecretsError);
    expect(error.code).toBe('SECRETS_MISMATCH');
    expect(error.message).toContain('does not open the key vault in shared-memory');
  });

  /**
   * The other interleaving: B has staged its own new master key when A's whole vault is already
   * stored, so B's next read (its data keys) finds A's. That is the race lost too: B starts over
   * from what is stored instead of failing on data keys wrapped under a master key it cannot know.
   */
  function lateCreator(): { a: CapsuleStore; b: CapsuleStore } {
    const shared = new MemoryCapsuleStore();
    let bAtDataKeys!: () => void;
    const bReachedDataKeys = new Promise<void>((resolve) => {
      bAtDataKeys = resolve;
    });
    let aPublished!: () => void;
    const aDone = new Promise<void>((resolve) => {
      aPublished = resolve;
    });
    let aFirst = true;
    let bFirst = true;
    const a: CapsuleStore = {
      read: (name) => shared.read(name),
      write: (name, capsule) => shared.write(name, capsule),
      describe: () => 'shared-memory',
      writeIfAbsent: async (name, capsule) => {
        if (aFirst) {
          aFirst = false;
          await bReachedDataKeys;
        }
        const stored = await shared.writeIfAbsent(name, capsule);
        // The sealed JWT keys are the last capsule of a vault.
        if (name === 'service-jwt') aPublished();
        return stored;
      },
    };
    const b: CapsuleStore = {
      read: async (name) => {
        if (name === 'datakeys' && bFirst) {
          bFirst = false;
          bAtDataKeys();
          await aDone;
        }
        return shared.read(name);
      },
      write: (name, capsule) => shared.write(name, capsule),
      describe: () => 'shared-memory',
      writeIfAbsent: (name, capsule) => shared.writeIfAbsent(name, capsule),
    };
    return { a, b };
  }

  it('a late creator finding the first vault complete refuses with SECRETS_MISMATCH (another root key)', async () => {
    const { a, b } = lateCreator();
    const [first, late] = await Promise.allSettled([
      loadOrCreateSecrets({ dir: tempDir(), capsuleStore: a, mayCreate: true }),
      loadOrCreateSecrets({ dir: tempDir(), capsuleStore: b, mayCreate: true }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(late.status).toBe('rejected');
    const error = (late as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(SecretsError);
    expect(error.code).toBe('SECRETS_MISMATCH');
  });

  it('a late creator finding the first vault complete loads it (same root key)', async () => {
    const { a, b } = lateCreator();
    const pem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const [first, late] = await Promise.all([
      loadOrCreateSecrets({ dir: tempDir(), rootKey: { pem }, capsuleStore: a, mayCreate: true }),
      loadOrCreateSecrets({ dir: tempDir(), rootKey: { pem }, capsuleStore: b, mayCreate: true }),
    ]);
    expect(late.keyCheck).toBe(first.keyCheck);
    expect(late.keys.toJWKS()).toEqual(first.keys.toJWKS());
    expect(late.ca.certificatePem).toBe(first.ca.certificatePem);
  });

  it('a vault stored between the check for one and the creation of its own is adopted, not an error', async () => {
    const shared = new MemoryCapsuleStore();
    const pem = formatKemPrivateKeyPem((await generateKemKeyPair()).privateKey);
    const plain: CapsuleStore = {
      read: (name) => shared.read(name),
      write: (name, capsule) => shared.write(name, capsule),
      describe: () => 'shared-memory',
      writeIfAbsent: (name, capsule) => shared.writeIfAbsent(name, capsule),
    };
    let first: ReturnType<typeof loadOrCreateSecrets> | undefined;
    let masterReads = 0;
    const late: CapsuleStore = {
      ...plain,
      read: async (name) => {
        // The third look for a master capsule is KeyVault.init's own (after the loader's two):
        // the other instance stores its whole vault just before it.
        if (name === 'master' && ++masterReads === 3) {
          first = loadOrCreateSecrets({
            dir: tempDir(),
            rootKey: { pem },
            capsuleStore: plain,
            mayCreate: true,
          });
          await first;
        }
        return shared.read(name);
      },
    };
    const loaded = await loadOrCreateSecrets({
      dir: tempDir(),
      rootKey: { pem },
      capsuleStore: late,
      mayCreate: true,
    });
    expect(first).toBeDefined();
    const other = await first!;
    expect(loaded.keyCheck).toBe(other.keyCheck);
    expect(loaded.keys.toJWKS()).toEqual(other.keys.toJWKS());
  });
});
