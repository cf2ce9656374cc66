/** In-memory capsule store for tests and throw-away vaults. Stores copies so callers cannot mutate it. */
import { assertCapsuleName, type CapsuleStore } from './capsule-store.js';
import { assertBytes } from './lib/_bytes.js';

/**
 * A {@link CapsuleStore} held in process memory.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for bad names or non-byte capsules.
 * @example
 * ```ts
 * const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore() });
 * ```
 */
export class MemoryCapsuleStore implements CapsuleStore {
  readonly #entries = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    assertCapsuleName(name);
    const entry = this.#entries.get(name);
    return entry === undefined ? undefined : entry.slice();
  }

  async write(name: string, capsule: Uint8Array): Promise<void> {
    assertCapsuleName(name);
    assertBytes(capsule, 'capsule');
    this.#entries.set(name, capsule.slice());
  }

  async writeIfAbsent(name: string, capsule: Uint8Array): Promise<boolean> {
    assertCapsuleName(name);
    assertBytes(capsule, 'capsule');
    if (this.#entries.has(name)) return false;
    this.#entries.set(name, capsule.slice());
    return true;
  }

  describe(): string {
    return 'memory';
  }
}
