/**
 * Capsule store on the local file system: one `<name>.capsule` file per capsule, written atomically
 * (temporary file in the same directory, fsync, rename, fsync of the directory), mode 0600, directory
 * mode 0700. `writeIfAbsent` links the temporary file into place instead of renaming it: `link`
 * fails when the name exists, so of two processes creating one capsule exactly one succeeds.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertCapsuleName, type CapsuleStore } from './capsule-store.js';
import { KeyVaultError } from './keyvault-error.js';
import { assertBytes } from './lib/_bytes.js';

/**
 * A {@link CapsuleStore} in a directory.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for an empty directory path or bad names.
 * @example
 * ```ts
 * const store = new FileCapsuleStore('/var/lib/city/keyvault');
 * const { vault } = await KeyVault.init({ store });
 * ```
 */
export class FileCapsuleStore implements CapsuleStore {
  readonly directory: string;

  constructor(directory: string) {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new KeyVaultError('INVALID_ARGUMENT', '"directory" expected a non-empty path string');
    }
    this.directory = resolve(directory);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    assertCapsuleName(name);
    try {
      return new Uint8Array(await readFile(join(this.directory, `${name}.capsule`)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(name: string, capsule: Uint8Array): Promise<void> {
    await this.#place(name, capsule, 'replace');
  }

  async writeIfAbsent(name: string, capsule: Uint8Array): Promise<boolean> {
    return this.#place(name, capsule, 'create');
  }

  async #place(name: string, capsule: Uint8Array, how: 'replace' | 'create'): Promise<boolean> {
    assertCapsuleName(name);
    assertBytes(capsule, 'capsule');
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const target = join(this.directory, `${name}.capsule`);
    const temporary = join(this.directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(capsule);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (how === 'replace') {
        await rename(temporary, target);
      } else {
        try {
          await link(temporary, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw error;
        } finally {
          await rm(temporary, { force: true });
        }
      }
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await this.#syncDirectory();
    return true;
  }

  async #syncDirectory(): Promise<void> {
    // Make the rename itself durable; not every platform allows fsync on a directory.
    try {
      const dir = await open(this.directory, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // best effort
    }
  }

  describe(): string {
    return `file:${this.directory}`;
  }
}
