/**
 * Creates a CSFLE data key in the MongoDB key vault collection, wrapped by the local master key:
 * through libmongocrypt when the native `mongodb-client-encryption` module loads, otherwise as the
 * same key document written by the built-in wire-format implementation (csfle-local-codec).
 */
import type { Binary, MongoClient } from 'mongodb';
import { createCsfleLocalDataKey } from './csfle-local-codec.js';
import { assertNamespace, csfleOptions } from './csfle-options.js';
import type { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { keyVaultCollection, nativeCsfleLoads } from './lib/_csfle-engine.js';

/** Options of {@link createCsfleDataKey}. */
export interface CreateCsfleDataKeyOptions {
  readonly client: MongoClient;
  readonly vault: KeyVault;
  readonly keyVaultNamespace: string;
  readonly keyAltNames?: readonly string[];
}

/**
 * Create a data key (`local` KMS provider) and return its id (a UUID `Binary`).
 *
 * @throws KeyVaultError `INVALID_ARGUMENT`; driver errors when the server refuses the insert.
 * @example
 * ```ts
 * const dataKeyId = await createCsfleDataKey({ client, vault, keyVaultNamespace: 'encryption.__keyVault', keyAltNames: ['pii'] });
 * ```
 */
export async function createCsfleDataKey(options: CreateCsfleDataKeyOptions): Promise<Binary> {
  assertNamespace(options?.keyVaultNamespace);
  if (
    options.keyAltNames !== undefined &&
    !options.keyAltNames.every((n) => typeof n === 'string' && n !== '')
  ) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"keyAltNames" expected non-empty strings');
  }
  const { Binary, ClientEncryption } = await import('mongodb');
  if (!(await nativeCsfleLoads())) {
    const { document } = createCsfleLocalDataKey(
      options.vault.masterKey,
      options.keyAltNames === undefined ? {} : { keyAltNames: options.keyAltNames },
    );
    const id = new Binary(Buffer.from(document._id), Binary.SUBTYPE_UUID);
    await keyVaultCollection(options.client, options.keyVaultNamespace).insertOne({
      ...document,
      _id: id,
      keyMaterial: new Binary(Buffer.from(document.keyMaterial)),
      ...(document.keyAltNames === undefined ? {} : { keyAltNames: [...document.keyAltNames] }),
    } as never);
    return id;
  }
  const encryption = new ClientEncryption(
    options.client,
    csfleOptions(options.vault, { keyVaultNamespace: options.keyVaultNamespace }),
  );
  return encryption.createDataKey('local', {
    ...(options.keyAltNames === undefined ? {} : { keyAltNames: [...options.keyAltNames] }),
  });
}
