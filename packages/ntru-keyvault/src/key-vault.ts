/**
 * The key vault: a 96-byte master key (the size MongoDB CSFLE's `local` KMS provider requires),
 * wrapped by a post-quantum KEM into the capsule `master` of a {@link CapsuleStore}, plus per-purpose
 * 32-byte data keys wrapped under the master key in `datakeys`.
 *
 * Rotation (README "Rotation"): `rotateKem` re-wraps the same master key to a new KEM key pair (no
 * data touched); `rotateMasterKey` replaces the master key and re-wraps the data keys (field
 * ciphertexts stay valid because data keys do not change). The master-key rotation writes
 * `master-pending` first, then `datakeys`, then `master`, and `open` finishes an interrupted rotation.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import type { CapsuleStore } from './capsule-store.js';
import type { FieldCipher } from './field-cipher.js';
import { formatKemPrivateKeyPem } from './format-kem-private-key-pem.js';
import { generateKemKeyPair, type KemKeyPair, kemKeyPairFromPrivateKey } from './generate-kem-key-pair.js';
import type { KemAlgorithm } from './kem-algorithm.js';
import { KeyVaultError } from './keyvault-error.js';
import {
  type DataKeyEntry,
  decryptDataKeys,
  encryptDataKeys,
  masterKeyId,
  newDataKey,
  parseDataKeyTable,
} from './lib/_data-keys.js';
import { assertPurpose, createFieldCipher } from './lib/_field-cipher.js';
import { kemBackend } from './lib/_kem.js';
import { REDACTED } from './lib/_redact.js';
import { loadKemPrivateKey } from './load-kem-private-key.js';
import { readCapsuleHeader } from './read-capsule-header.js';
import { unwrapKey } from './unwrap-key.js';
import { wrapKey } from './wrap-key.js';

/** Capsule names used in the store. */
export const MASTER_CAPSULE = 'master';
const PENDING_CAPSULE = 'master-pending';
const DATA_KEYS = 'datakeys';
/** KDF label bound into the master-key capsule. */
const MASTER_LABEL = 'city/keyvault/master';
/** Master key length: MongoDB CSFLE's local KMS provider requires exactly 96 bytes. */
const MASTER_KEY_LENGTH = 96;

/** What {@link KeyVault.status} reports. */
export interface KeyVaultStatus {
  readonly algorithm: KemAlgorithm;
  readonly keyId: string;
  readonly createdAt: Date;
  readonly store: string;
}

/** Options of {@link KeyVault.init}. */
export interface KeyVaultInitOptions {
  readonly store: CapsuleStore;
  /** Wrap to this key pair instead of generating one. */
  readonly kemKeyPair?: KemKeyPair;
  /** Algorithm of the generated key pair (default NTRU-HRSS-701). */
  readonly algorithm?: KemAlgorithm;
  readonly now?: Date;
}

/** Options of {@link KeyVault.open}. */
export interface KeyVaultOpenOptions {
  readonly store: CapsuleStore;
  readonly privateKey: string;
}

/** Options of {@link KeyVault.openOrInit}. */
export interface KeyVaultOpenOrInitOptions {
  readonly store: CapsuleStore;
  /** The KEM private key, when known. */
  readonly privateKey?: string;
  /** Key file: read when present; when absent and a vault is created, the new private key is written here (0600). */
  readonly privateKeyFile?: string;
  readonly algorithm?: KemAlgorithm;
  readonly now?: Date;
}

function assertStore(store: unknown): asserts store is CapsuleStore {
  const candidate = store as Partial<CapsuleStore> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.read !== 'function' ||
    typeof candidate.write !== 'function' ||
    typeof candidate.describe !== 'function'
  ) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"store" expected a CapsuleStore (read, write, describe)');
  }
}

function assertKeyPair(pair: unknown): KemKeyPair {
  const candidate = pair as Partial<KemKeyPair> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.privateKey !== 'string') {
    throw new KeyVaultError('INVALID_ARGUMENT', '"kemKeyPair" expected a KemKeyPair');
  }
  const rebuilt = kemKeyPairFromPrivateKey(candidate.privateKey);
  if (rebuilt.publicKey !== candidate.publicKey || rebuilt.keyId !== candidate.keyId) {
    throw new KeyVaultError('KEY_MALFORMED', '"kemKeyPair" public key does not match its private key');
  }
  return rebuilt;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * The post-quantum wrapped master key and the data keys derived from it.
 *
 * @throws KeyVaultError (see each method).
 * @example
 * ```ts
 * const { vault, kemKeyPair } = await KeyVault.init({ store: new FileCapsuleStore(dir) });
 * const pii = await vault.fieldCipher('pii');
 * const stored = pii.encrypt('1234-5678-9012', { table: 'users', recordKey: uuid, attribute: 'mynumber' });
 * ```
 */
export class KeyVault {
  readonly #store: CapsuleStore;
  #masterKey: Uint8Array;
  #privateKey: string;
  #status: Omit<KeyVaultStatus, 'store'>;
  #dataKeys: Map<string, DataKeyEntry> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: CapsuleStore, masterKey: Uint8Array, privateKey: string, capsule: Uint8Array) {
    this.#store = store;
    this.#masterKey = masterKey;
    this.#privateKey = privateKey;
    const header = readCapsuleHeader(capsule);
    this.#status = { algorithm: header.algorithm, keyId: header.keyId, createdAt: header.createdAt };
  }

  /**
   * Create a vault: generate the master key, wrap it, store it as capsule `master`.
   *
   * @throws KeyVaultError `KEYVAULT_EXISTS`, `INVALID_ARGUMENT`, `KEY_MALFORMED`, `KEM_ALGORITHM_UNSUPPORTED`.
   * @example
   * ```ts
   * const { vault, kemKeyPair } = await KeyVault.init({ store, algorithm: 'x25519+ml-kem-768' });
   * ```
   */
  static async init(options: KeyVaultInitOptions): Promise<{ vault: KeyVault; kemKeyPair: KemKeyPair }> {
    assertStore(options?.store);
    const { store } = options;
    const kemKeyPair =
      options.kemKeyPair === undefined
        ? await generateKemKeyPair(options.algorithm ?? undefined)
        : assertKeyPair(options.kemKeyPair);
    if (options.algorithm !== undefined) kemBackend(options.algorithm);
    if ((await store.read(MASTER_CAPSULE)) !== undefined) {
      throw new KeyVaultError('KEYVAULT_EXISTS', `a key vault already exists in ${store.describe()}`);
    }
    const masterKey = new Uint8Array(randomBytes(MASTER_KEY_LENGTH));
    const capsule = await wrapKey(masterKey, kemKeyPair.publicKey, {
      label: MASTER_LABEL,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    // A store shared by several processes creates the capsule only if none appeared meanwhile:
    // of two concurrent inits exactly one wins, the other gets KEYVAULT_EXISTS.
    if (store.writeIfAbsent === undefined) {
      await store.write(MASTER_CAPSULE, capsule);
    } else if (!(await store.writeIfAbsent(MASTER_CAPSULE, capsule))) {
      masterKey.fill(0);
      throw new KeyVaultError('KEYVAULT_EXISTS', `a key vault already exists in ${store.describe()}`);
    }
    return { vault: new KeyVault(store, masterKey, kemKeyPair.privateKey, capsule), kemKeyPair };
  }

  /**
   * Open an existing vault with the KEM private key.
   *
   * @throws KeyVaultError `KEYVAULT_NOT_INITIALISED`, `KEYVAULT_UNWRAP_FAILED`, `CAPSULE_MALFORMED`, `KEY_MALFORMED`.
   * @example
   * ```ts
   * const vault = await KeyVault.open({ store, privateKey: await loadKemPrivateKey({ file }) });
   * ```
   */
  static async open(options: KeyVaultOpenOptions): Promise<KeyVault> {
    assertStore(options?.store);
    const { store, privateKey } = options;
    const capsule = await store.read(MASTER_CAPSULE);
    if (capsule === undefined) {
      throw new KeyVaultError('KEYVAULT_NOT_INITIALISED', `no key vault in ${store.describe()}`);
    }
    const masterKey = await unwrapKey(capsule, privateKey, { label: MASTER_LABEL });
    if (masterKey.length !== MASTER_KEY_LENGTH) {
      throw new KeyVaultError('CAPSULE_MALFORMED', 'master key capsule holds a key of the wrong size');
    }
    const table = parseDataKeyTable(await store.read(DATA_KEYS));
    if (table !== undefined && table.masterKeyId !== masterKeyId(masterKey)) {
      // An interrupted rotateMasterKey: data keys are already under the pending master key.
      const pending = await store.read(PENDING_CAPSULE);
      const pendingKey = pending && (await unwrapKey(pending, privateKey, { label: MASTER_LABEL }));
      if (
        pending === undefined ||
        pendingKey === undefined ||
        table.masterKeyId !== masterKeyId(pendingKey)
      ) {
        throw new KeyVaultError(
          'KEYVAULT_UNWRAP_FAILED',
          'data keys are wrapped under an unknown master key',
        );
      }
      await store.write(MASTER_CAPSULE, pending);
      masterKey.fill(0);
      return new KeyVault(store, pendingKey, privateKey, pending);
    }
    return new KeyVault(store, masterKey, privateKey, capsule);
  }

  /**
   * Open the vault if the store has one, otherwise create it (first start of the embedded mode).
   *
   * @throws KeyVaultError as {@link KeyVault.open} / {@link KeyVault.init}; `INVALID_ARGUMENT` when a vault
   *   exists but no private key was given.
   * @example
   * ```ts
   * const { vault, created } = await KeyVault.openOrInit({ store, privateKeyFile: join(dataDir, 'kem.key') });
   * ```
   */
  static async openOrInit(
    options: KeyVaultOpenOrInitOptions,
  ): Promise<{ vault: KeyVault; kemKeyPair: KemKeyPair; created: boolean }> {
    assertStore(options?.store);
    const { store, privateKeyFile } = options;
    let privateKey = options.privateKey;
    if (privateKey === undefined && privateKeyFile !== undefined && (await fileExists(privateKeyFile))) {
      privateKey = await loadKemPrivateKey({ file: privateKeyFile });
    }
    if ((await store.read(MASTER_CAPSULE)) !== undefined) {
      if (privateKey === undefined) {
        throw new KeyVaultError(
          'INVALID_ARGUMENT',
          '"privateKey" is required to open the existing key vault',
        );
      }
      const vault = await KeyVault.open({ store, privateKey });
      return { vault, kemKeyPair: kemKeyPairFromPrivateKey(privateKey), created: false };
    }
    const kemKeyPair =
      privateKey === undefined
        ? await generateKemKeyPair(options.algorithm)
        : kemKeyPairFromPrivateKey(privateKey);
    if (privateKey === undefined && privateKeyFile !== undefined) {
      await writeFile(privateKeyFile, formatKemPrivateKeyPem(kemKeyPair.privateKey), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    const { vault } = await KeyVault.init({
      store,
      kemKeyPair,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return { vault, kemKeyPair, created: true };
  }

  /**
   * Algorithm, key id and creation time of the current master-key capsule, and where it is stored.
   *
   * @throws never
   * @example
   * ```ts
   * console.log(vault.status().keyId);
   * ```
   */
  status(): KeyVaultStatus {
    return { ...this.#status, store: this.#store.describe() };
  }

  /**
   * A copy of the 96-byte master key (the CSFLE `local` KMS key). Prefer data keys for anything else.
   *
   * @example
   * ```ts
   * const key = vault.masterKey; // 96 bytes
   * ```
   */
  get masterKey(): Uint8Array {
    return this.#masterKey.slice();
  }

  #serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #loadDataKeys(): Promise<Map<string, DataKeyEntry>> {
    if (this.#dataKeys === undefined) {
      const table = parseDataKeyTable(await this.#store.read(DATA_KEYS));
      if (table !== undefined && table.masterKeyId !== masterKeyId(this.#masterKey)) {
        throw new KeyVaultError(
          'KEYVAULT_UNWRAP_FAILED',
          'data keys are wrapped under an unknown master key',
        );
      }
      this.#dataKeys = table === undefined ? new Map() : decryptDataKeys(table, this.#masterKey);
    }
    return this.#dataKeys;
  }

  async #dataKeyEntry(purpose: string): Promise<DataKeyEntry> {
    assertPurpose(purpose);
    return this.#serialise(async () => {
      const keys = await this.#loadDataKeys();
      const existing = keys.get(purpose);
      if (existing !== undefined) return existing;
      const entry = newDataKey();
      const next = new Map(keys);
      next.set(purpose, entry);
      await this.#store.write(DATA_KEYS, encryptDataKeys(next, this.#masterKey));
      this.#dataKeys = next;
      return entry;
    });
  }

  /**
   * The 32-byte data key for `purpose` (created and stored on first use; stable afterwards).
   *
   * @throws KeyVaultError `INVALID_ARGUMENT` (purpose), `KEYVAULT_UNWRAP_FAILED`, `CAPSULE_MALFORMED`.
   * @example
   * ```ts
   * const sealKey = await vault.dataKey('refresh-grace');
   * ```
   */
  async dataKey(purpose: string): Promise<Uint8Array> {
    return (await this.#dataKeyEntry(purpose)).key.slice();
  }

  /**
   * A {@link FieldCipher} over the data key of `purpose` (default `pii`).
   *
   * @throws KeyVaultError as {@link KeyVault.dataKey}.
   * @example
   * ```ts
   * const pii = await vault.fieldCipher();
   * const emailIndex = pii.blindIndex('email', 'Alice@Example.org');
   * ```
   */
  async fieldCipher(purpose = 'pii'): Promise<FieldCipher> {
    const entry = await this.#dataKeyEntry(purpose);
    return createFieldCipher(entry.id, entry.key.slice());
  }

  /**
   * Re-wrap the same master key to a new KEM key pair; the old private key stops opening the vault.
   *
   * @throws KeyVaultError `INVALID_ARGUMENT` / `KEY_MALFORMED` for a bad key pair.
   * @example
   * ```ts
   * const next = await generateKemKeyPair('x25519+ntru-hrss-701');
   * await vault.rotateKem(next); // then store next.privateKey and destroy the old one
   * ```
   */
  async rotateKem(newKeyPair: KemKeyPair, options: { now?: Date } = {}): Promise<void> {
    const pair = assertKeyPair(newKeyPair);
    await this.#serialise(async () => {
      const capsule = await wrapKey(this.#masterKey, pair.publicKey, {
        label: MASTER_LABEL,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      // Prove the new capsule opens before it replaces the old one.
      const check = await unwrapKey(capsule, pair.privateKey, { label: MASTER_LABEL });
      check.fill(0);
      await this.#store.write(MASTER_CAPSULE, capsule);
      this.#privateKey = pair.privateKey;
      const header = readCapsuleHeader(capsule);
      this.#status = { algorithm: header.algorithm, keyId: header.keyId, createdAt: header.createdAt };
    });
  }

  /**
   * Replace the master key and re-wrap every data key under it (field ciphertexts stay readable;
   * CSFLE data keys in MongoDB must be rewrapped separately with `rewrapManyDataKey`).
   *
   * @throws KeyVaultError `KEYVAULT_UNWRAP_FAILED` when the stored data keys cannot be read.
   * @example
   * ```ts
   * await vault.rotateMasterKey();
   * ```
   */
  async rotateMasterKey(options: { now?: Date } = {}): Promise<void> {
    await this.#serialise(async () => {
      const keys = await this.#loadDataKeys();
      const { publicKey } = kemKeyPairFromPrivateKey(this.#privateKey);
      const nextMaster = new Uint8Array(randomBytes(MASTER_KEY_LENGTH));
      const capsule = await wrapKey(nextMaster, publicKey, {
        label: MASTER_LABEL,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      await this.#store.write(PENDING_CAPSULE, capsule);
      await this.#store.write(DATA_KEYS, encryptDataKeys(keys, nextMaster));
      await this.#store.write(MASTER_CAPSULE, capsule);
      this.#masterKey.fill(0);
      this.#masterKey = nextMaster;
      const header = readCapsuleHeader(capsule);
      this.#status = { algorithm: header.algorithm, keyId: header.keyId, createdAt: header.createdAt };
    });
  }

  /** Purposes that have a data key (no key material). */
  async dataKeyPurposes(): Promise<string[]> {
    return [...(await this.#serialise(() => this.#loadDataKeys())).keys()].sort();
  }

  toJSON(): Record<string, unknown> {
    return { ...this.status(), masterKey: REDACTED };
  }

  toString(): string {
    return `[KeyVault ${this.#status.algorithm} ${this.#status.keyId} ${REDACTED}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
