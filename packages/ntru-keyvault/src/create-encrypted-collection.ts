/**
 * A collection wrapper that explicitly encrypts chosen top-level fields with CSFLE
 * (`AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic` for fields queried by equality, `-Random` for the
 * rest) and decrypts them on read. Explicit encryption works with the community server and with
 * FerretDB. Through libmongocrypt when the native `mongodb-client-encryption` module loads;
 * otherwise the built-in implementation of the same wire format (csfle-local-codec) encrypts string
 * fields, which libmongocrypt reads back alike.
 */
import type { Binary, Collection, Document, Filter, MongoClient } from 'mongodb';
import { decryptCsfleString, encryptCsfleString, unwrapCsfleLocalDataKey } from './csfle-local-codec.js';
import { assertNamespace, csfleOptions } from './csfle-options.js';
import type { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { keyVaultCollection, nativeCsfleLoads } from './lib/_csfle-engine.js';

/** How a field is encrypted: `deterministic` allows equality queries, `random` does not. */
export type CsfleFieldMode = 'deterministic' | 'random';

/** Options of {@link createEncryptedCollection}. */
export interface CreateEncryptedCollectionOptions {
  readonly client: MongoClient;
  readonly vault: KeyVault;
  readonly keyVaultNamespace: string;
  readonly database: string;
  readonly collection: string;
  /** Data key id from {@link createCsfleDataKey}. */
  readonly dataKeyId: Binary;
  /** Top-level field name → encryption mode. */
  readonly fields: Readonly<Record<string, CsfleFieldMode>>;
}

/** The wrapper returned by {@link createEncryptedCollection}. */
export interface EncryptedCollection {
  /** The underlying collection (stores ciphertext `Binary` subtype 6 values). */
  readonly raw: Collection<Document>;
  insertOne(document: Document): Promise<void>;
  /** Equality filter; encrypted fields may be used only when deterministic. */
  findOne(filter: Document): Promise<Document | null>;
  find(filter: Document): Promise<Document[]>;
}

const ALGORITHMS = {
  deterministic: 'AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic',
  random: 'AEAD_AES_256_CBC_HMAC_SHA_512-Random',
} as const;

/**
 * Create the explicit-encryption collection wrapper.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` (and, without the native module, for a data key id not
 *   in the key vault collection or a non-string value in an encrypted field), `FIELD_DECRYPT_FAILED`.
 * @example
 * ```ts
 * const users = await createEncryptedCollection({ client, vault, keyVaultNamespace, database: 'city', collection: 'users',
 *   dataKeyId, fields: { email: 'deterministic', address: 'random' } });
 * await users.insertOne({ _id: uuid, email, address });
 * ```
 */
export async function createEncryptedCollection(
  options: CreateEncryptedCollectionOptions,
): Promise<EncryptedCollection> {
  const keyVaultNamespace = assertNamespace(options?.keyVaultNamespace);
  for (const name of ['database', 'collection'] as const) {
    if (typeof options[name] !== 'string' || options[name].length === 0) {
      throw new KeyVaultError('INVALID_ARGUMENT', `"${name}" expected a non-empty string`);
    }
  }
  const fields = options.fields;
  if (typeof fields !== 'object' || fields === null || Object.keys(fields).length === 0) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"fields" expected at least one field');
  }
  for (const [name, mode] of Object.entries(fields)) {
    if (name.startsWith('$') || name.includes('.') || name === '_id' || !(mode in ALGORITHMS)) {
      throw new KeyVaultError(
        'INVALID_ARGUMENT',
        `"fields.${name}" expected 'deterministic' or 'random' on a top-level field`,
      );
    }
  }
  const { ClientEncryption, Binary: BinaryClass } = await import('mongodb');
  const raw = options.client.db(options.database).collection<Document>(options.collection);
  let encryptField: (value: unknown, mode: CsfleFieldMode) => Promise<Binary>;
  let decryptField: (value: Binary) => Promise<unknown>;
  if (await nativeCsfleLoads()) {
    const encryption = new ClientEncryption(
      options.client,
      csfleOptions(options.vault, { keyVaultNamespace }),
    );
    encryptField = (value, mode) =>
      encryption.encrypt(value, { keyId: options.dataKeyId, algorithm: ALGORITHMS[mode] });
    decryptField = (value) => encryption.decrypt(value);
  } else {
    const keyDocument = await keyVaultCollection(options.client, keyVaultNamespace).findOne({
      _id: options.dataKeyId as never,
    });
    const keyMaterial = keyDocument?.keyMaterial;
    if (!(keyMaterial instanceof BinaryClass)) {
      throw new KeyVaultError(
        'INVALID_ARGUMENT',
        '"dataKeyId" names no data key in the key vault collection',
      );
    }
    const dataKey = unwrapCsfleLocalDataKey(options.vault.masterKey, keyMaterial.buffer);
    const keyId = new Uint8Array(options.dataKeyId.buffer);
    encryptField = async (value, mode) => {
      if (typeof value !== 'string') {
        throw new KeyVaultError(
          'INVALID_ARGUMENT',
          'without mongodb-client-encryption only string values are encrypted (the built-in CSFLE engine)',
        );
      }
      return new BinaryClass(Buffer.from(encryptCsfleString(dataKey, keyId, value, mode)), 6);
    };
    decryptField = async (value) => decryptCsfleString(dataKey, value.buffer);
  }

  const encryptDocument = async (document: Document): Promise<Document> => {
    const out: Document = { ...document };
    for (const [name, mode] of Object.entries(fields)) {
      if (out[name] !== undefined) out[name] = await encryptField(out[name], mode);
    }
    return out;
  };
  const encryptFilter = async (filter: Document): Promise<Filter<Document>> => {
    const out: Document = { ...filter };
    for (const [name, mode] of Object.entries(fields)) {
      if (out[name] === undefined) continue;
      if (mode !== 'deterministic') {
        throw new KeyVaultError(
          'INVALID_ARGUMENT',
          `"filter.${name}" is randomly encrypted and cannot be queried`,
        );
      }
      out[name] = await encryptField(out[name], mode);
    }
    return out;
  };
  const decryptDocument = async (document: Document): Promise<Document> => {
    const out: Document = { ...document };
    for (const name of Object.keys(fields)) {
      const value = out[name];
      // Subtype 6 is the CSFLE ciphertext type.
      if (value instanceof BinaryClass && value.sub_type === 6) out[name] = await decryptField(value);
    }
    return out;
  };

  return {
    raw,
    async insertOne(document) {
      await raw.insertOne(await encryptDocument(document));
    },
    async findOne(filter) {
      const found = await raw.findOne(await encryptFilter(filter));
      return found === null ? null : decryptDocument(found);
    },
    async find(filter) {
      const found = await raw.find(await encryptFilter(filter)).toArray();
      return Promise.all(found.map(decryptDocument));
    },
  };
}
