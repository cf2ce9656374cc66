/**
 * Internal: where a configured deployment keeps its key vault capsules (the KEM-wrapped master
 * key, the data-key table and the sealed CA and JWT keys) — in the deployment's own shared
 * storage, so that every instance reads one vault and needs only the root key, which stays
 * outside it. mongodb mode: `<prefix>keyvault_capsules` in the same database. Capsules that a
 * deployment kept as files under `<secretsDir>/keyvault` are copied in on the first start that
 * finds the shared store without a master capsule (the files stay, as a backup); once it holds
 * one, it is the only vault read.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CapsuleStore, FileCapsuleStore } from '@city/ntru-keyvault';

/** An opened shared capsule store. */
export interface DeploymentCapsuleStore {
  readonly store: CapsuleStore;
  /** Capsule names copied from `<secretsDir>/keyvault` on this start (empty when none). */
  readonly migrated: readonly string[];
  close(): Promise<void>;
}

const MASTER = 'master';
const CAPSULE_FILE = /^([a-z0-9][a-z0-9_-]{0,63})\.capsule$/;

/** The MongoDB capsule store of a mongodb-mode deployment, with file capsules adopted. */
export async function openMongoCapsuleStore(options: {
  readonly uri: string;
  readonly dbName: string;
  readonly collectionPrefix?: string | undefined;
  readonly secretsDir: string;
}): Promise<DeploymentCapsuleStore> {
  const { MongoCapsuleStore } = await import('@city/db-integration/mongodb');
  const store = new MongoCapsuleStore({
    uri: options.uri,
    dbName: options.dbName,
    collectionName: `${options.collectionPrefix ?? ''}keyvault_capsules`,
  });
  try {
    const migrated = await adoptFileCapsules(store, join(options.secretsDir, 'keyvault'));
    return { store, migrated, close: () => store.close() };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

/**
 * Copies the capsule files of `directory` into `target` when `target` holds no master capsule.
 * The master goes last and only where absent: until it is stored a restart repeats the copy, and
 * of two instances copying at once the first one's capsules stay (they are the same files).
 */
export async function adoptFileCapsules(target: CapsuleStore, directory: string): Promise<string[]> {
  if ((await target.read(MASTER)) !== undefined) return [];
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = entries.flatMap((entry) => CAPSULE_FILE.exec(entry)?.[1] ?? []).sort();
  if (!names.includes(MASTER)) return [];
  const files = new FileCapsuleStore(directory);
  const migrated: string[] = [];
  for (const name of [...names.filter((n) => n !== MASTER), MASTER]) {
    const capsule = await files.read(name);
    if (capsule === undefined) continue;
    const stored =
      target.writeIfAbsent === undefined
        ? await target.write(name, capsule).then(() => true)
        : await target.writeIfAbsent(name, capsule);
    if (stored) migrated.push(name);
  }
  return migrated;
}
