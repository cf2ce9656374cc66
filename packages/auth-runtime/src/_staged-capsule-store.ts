/**
 * Internal: a capsule store overlay for creating secrets in a store other instances may share.
 * Creation writes into memory (reads fall through to the shared store), then `publish` stores
 * each new capsule with the store's insert-if-absent (`writeIfAbsent`) in creation order (master
 * key, data keys, sealed CA, sealed JWT keys). Of two instances creating at once, each capsule is
 * the first writer's; an instance that finds a different capsule already stored publishes nothing
 * further and starts over from what is stored (`CapsuleRaceLost`), so both end on the same vault
 * — or, with different root keys, the loser stops with SECRETS_MISMATCH. A store without
 * `writeIfAbsent` is written as before, under the caller's lock.
 */
import type { CapsuleStore } from '@city/ntru-keyvault';

/** The key vault's master-key capsule (`KeyVault`'s name for it). */
export const MASTER_CAPSULE = 'master';

/** Another instance stored a different capsule under this name first. */
export class CapsuleRaceLost extends Error {
  constructor(readonly capsule: string) {
    super(`another instance stored the capsule ${capsule} first`);
  }
}

export class StagedCapsuleStore implements CapsuleStore {
  readonly #base: CapsuleStore;
  readonly #staged = new Map<string, { bytes: Uint8Array; replaces: boolean }>();

  constructor(base: CapsuleStore) {
    this.#base = base;
  }

  /**
   * A staged capsule, else the stored one. While this overlay creates a new master key, any other
   * capsule already stored was written by an instance that created its own vault first — under
   * another master key, so reading it here could only fail with a key-vault error: that is the race
   * lost, and the caller starts over from what is stored.
   *
   * @throws {CapsuleRaceLost} when a new master key is staged and `name` is already stored
   */
  async read(name: string): Promise<Uint8Array | undefined> {
    const staged = this.#staged.get(name);
    if (staged !== undefined) return staged.bytes.slice();
    const stored = await this.#base.read(name);
    const master = this.#staged.get(MASTER_CAPSULE);
    if (stored !== undefined && master !== undefined && !master.replaces) throw new CapsuleRaceLost(name);
    return stored;
  }

  async write(name: string, capsule: Uint8Array): Promise<void> {
    const earlier = this.#staged.get(name);
    const replaces = earlier?.replaces ?? (await this.#base.read(name)) !== undefined;
    // Re-inserting keeps creation order: a rewritten capsule is published after what it depends on.
    this.#staged.delete(name);
    this.#staged.set(name, { bytes: capsule.slice(), replaces });
  }

  describe(): string {
    return this.#base.describe();
  }

  /** Stores the staged capsules; throws {@link CapsuleRaceLost} at the first one another instance wrote differently. */
  async publish(): Promise<void> {
    for (const [name, { bytes, replaces }] of this.#staged) {
      if (replaces || this.#base.writeIfAbsent === undefined) {
        await this.#base.write(name, bytes);
        continue;
      }
      if (await this.#base.writeIfAbsent(name, bytes)) continue;
      const stored = await this.#base.read(name);
      if (stored === undefined || Buffer.compare(stored, bytes) !== 0) throw new CapsuleRaceLost(name);
    }
    this.#staged.clear();
  }
}
