/**
 * Where capsules live. Implementations here: files and memory; S3 and MongoDB implementations are in
 * `@city/db-integration`. Names are short identifiers (`master`, `datakeys`).
 */
import { KeyVaultError } from './keyvault-error.js';

/** Persistence for capsules and other wrapped blobs. */
export interface CapsuleStore {
  /** The stored bytes, or undefined when nothing is stored under `name`. */
  read(name: string): Promise<Uint8Array | undefined>;
  /** Replace the bytes under `name` atomically (readers see the old or the new value, never a mix). */
  write(name: string, capsule: Uint8Array): Promise<void>;
  /**
   * Store `capsule` under `name` only if nothing is stored there, atomically for every process sharing
   * the store (a unique key, an exclusive link, a conditional put): true when this call stored it,
   * false when a capsule was already there (left unchanged). Optional: a store without it is only
   * ever created by one process at a time (the runtime's lock file covers a directory).
   */
  writeIfAbsent?(name: string, capsule: Uint8Array): Promise<boolean>;
  /** A human description of the location, free of secrets (`file:/var/lib/city/keyvault`). */
  describe(): string;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Check a capsule name (lower-case letters, digits, `-`, `_`, 1..64 characters).
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` naming the problem.
 * @example
 * ```ts
 * assertCapsuleName('master');
 * ```
 */
export function assertCapsuleName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new KeyVaultError(
      'INVALID_ARGUMENT',
      `"name" expected 1..64 characters of [a-z0-9_-] starting with a letter or digit, got ${typeof name === 'string' ? JSON.stringify(name.slice(0, 70)) : typeof name}`,
    );
  }
}
