/**
 * `MongoCapsuleStore`: keeps key-vault capsules (the NTRU/ML-KEM-wrapped master key) in a
 * MongoDB collection, for deployments that keep the wrapped CSFLE master key inside MongoDB. It has the
 * shape of `CapsuleStore` from @city/ntru-keyvault (`read`, `write`, `describe`), matched
 * structurally so this package does not need the key vault at run time.
 *
 * Layout: collection `keyvault_capsules` (configurable), `{ _id: name, capsule: BinData,
 * updatedAt }`. `writeIfAbsent` is an insert on `_id` (always unique): of instances creating the
 * same capsule at once exactly one succeeds. `describe()` names database and collection only, never the URI (it may hold
 * credentials).
 */
import { Binary, type Collection, MongoClient } from 'mongodb';
import { requireString } from './_guards.js';
import { isDuplicateKeyError, toPortError } from './_map-mongo-error.js';
import { MongoInputError } from './mongo-input-error.js';

/** Options of {@link MongoCapsuleStore}. */
export interface MongoCapsuleStoreOptions {
  /** A client to use (not closed by `close()`); or give `uri`. */
  readonly client?: MongoClient | undefined;
  readonly uri?: string | undefined;
  readonly dbName: string;
  /** Collection name (default `keyvault_capsules`). */
  readonly collectionName?: string | undefined;
}

interface CapsuleDocument {
  _id: string;
  capsule: Binary;
  updatedAt: Date;
}

/** Largest capsule accepted (real capsules are a few KiB). */
const MAX_CAPSULE_BYTES = 1024 * 1024;

/**
 * Capsule storage in MongoDB, structurally a keyvault `CapsuleStore`.
 *
 * @throws {MongoInputError} for a bad name, non-bytes capsule or missing `uri`/`client`.
 * @throws {StoreUnavailableError} when the server cannot be reached.
 * @example
 * ```ts
 * const store = new MongoCapsuleStore({ uri: process.env.MONGODB_URI, dbName: 'city' });
 * const { vault } = await KeyVault.init({ store });
 * await store.close();
 * ```
 */
export class MongoCapsuleStore {
  readonly #client: MongoClient;
  readonly #ownsClient: boolean;
  readonly #dbName: string;
  readonly #collectionName: string;
  #connected: Promise<Collection<CapsuleDocument>> | undefined;

  constructor(options: MongoCapsuleStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new MongoInputError('options', '"options" expected an object');
    }
    this.#dbName = requireString('dbName', options.dbName, 63);
    this.#collectionName = requireString(
      'collectionName',
      options.collectionName ?? 'keyvault_capsules',
      120,
    );
    if (this.#collectionName.startsWith('$') || this.#collectionName.startsWith('system.')) {
      throw new MongoInputError('collectionName', '"collectionName" is reserved');
    }
    if (options.client) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = new MongoClient(requireString('uri', options.uri, 4096), {
        serverSelectionTimeoutMS: 2_000,
        connectTimeoutMS: 2_000,
      });
      this.#ownsClient = true;
    }
  }

  /** Reads a capsule by name; `undefined` when none was written. */
  async read(name: string): Promise<Uint8Array | undefined> {
    const id = requireString('name', name, 256);
    const collection = await this.#collection();
    try {
      const doc = await collection.findOne({ _id: id });
      return doc ? new Uint8Array(doc.capsule.buffer) : undefined;
    } catch (error) {
      throw toPortError(error);
    }
  }

  /** Writes (or replaces) a capsule. */
  async write(name: string, capsule: Uint8Array): Promise<void> {
    const doc = this.#document(name, capsule);
    const collection = await this.#collection();
    try {
      await collection.replaceOne({ _id: doc._id }, doc, { upsert: true });
    } catch (error) {
      throw toPortError(error);
    }
  }

  #document(name: string, capsule: Uint8Array): CapsuleDocument {
    const id = requireString('name', name, 256);
    if (!(capsule instanceof Uint8Array)) {
      throw new MongoInputError('capsule', '"capsule" expected a Uint8Array');
    }
    if (capsule.length === 0 || capsule.length > MAX_CAPSULE_BYTES) {
      throw new MongoInputError(
        'capsule',
        `"capsule" expected 1..${MAX_CAPSULE_BYTES} bytes, got ${capsule.length}`,
      );
    }
    return { _id: id, capsule: new Binary(Buffer.from(capsule)), updatedAt: new Date() };
  }

  /** Stores a capsule only when none is stored under `name`: true when this call stored it. */
  async writeIfAbsent(name: string, capsule: Uint8Array): Promise<boolean> {
    const doc = this.#document(name, capsule);
    const collection = await this.#collection();
    try {
      await collection.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw toPortError(error);
    }
  }

  /** Where the capsules live, for status output (no credentials). */
  describe(): string {
    return `mongodb:${this.#dbName}.${this.#collectionName}`;
  }

  /** Closes the client if this store created it. */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  #collection(): Promise<Collection<CapsuleDocument>> {
    this.#connected ??= (async () => {
      try {
        if (this.#ownsClient) await this.#client.connect();
      } catch (error) {
        this.#connected = undefined;
        throw toPortError(error);
      }
      return this.#client.db(this.#dbName).collection<CapsuleDocument>(this.#collectionName);
    })();
    return this.#connected;
  }
}
