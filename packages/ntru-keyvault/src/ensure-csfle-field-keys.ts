/**
 * The CSFLE data keys of a set of named fields, in a MongoDB key vault collection (`local` KMS
 * provider, master key = the key vault's 96-byte master key): found by `keyAltNames`, created when
 * missing. Creation is safe when several instances start at once: a key's `_id` is derived from the
 * master key and its name (HMAC-SHA-256, shaped as a UUID v4), so concurrent creators insert the
 * same `_id`, the unique `_id` lets one in, and the others read that one.
 */
import { createHmac } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import type { CsfleFieldKey } from './create-csfle-field-cipher.js';
import {
  type CsfleAlgorithm,
  createCsfleLocalDataKey,
  unwrapCsfleLocalDataKey,
} from './csfle-local-codec.js';
import { assertNamespace } from './csfle-options.js';
import type { KeyVault } from './key-vault.js';
import { KeyVaultError } from './keyvault-error.js';
import { keyVaultCollection } from './lib/_csfle-engine.js';

/** Options of {@link ensureCsfleFieldKeys}. */
export interface EnsureCsfleFieldKeysOptions {
  readonly client: MongoClient;
  readonly vault: KeyVault;
  /** `<database>.<collection>` of the key vault collection. */
  readonly keyVaultNamespace: string;
  /** Field name → algorithm; the data key's alt name is `<altNamePrefix><field>`. */
  readonly fields: ReadonlyMap<string, CsfleAlgorithm>;
  readonly altNamePrefix: string;
}

const DUPLICATE_KEY = 11000;

/**
 * Finds or creates one data key per field and returns them unwrapped.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT`; `FIELD_DECRYPT_FAILED` when a stored key was wrapped under
 *   another master key; driver errors when the server is unreachable.
 * @example
 * ```ts
 * const keys = await ensureCsfleFieldKeys({ client, vault, keyVaultNamespace: 'city.keyvault_datakeys',
 *   fields: new Map([['email', 'deterministic']]), altNamePrefix: 'city-users-' });
 * ```
 */
export async function ensureCsfleFieldKeys(
  options: EnsureCsfleFieldKeysOptions,
): Promise<Map<string, CsfleFieldKey>> {
  assertNamespace(options?.keyVaultNamespace);
  const { Binary } = await import('mongodb');
  const collection = keyVaultCollection(options.client, options.keyVaultNamespace);
  const master = options.vault.masterKey;
  try {
    const keys = new Map<string, CsfleFieldKey>();
    for (const [field, algorithm] of options.fields) {
      const altName = `${options.altNamePrefix}${field}`;
      let stored = await collection.findOne({ keyAltNames: altName });
      if (stored === null) {
        const { document } = createCsfleLocalDataKey(master, { keyAltNames: [altName] });
        const id = createHmac('sha256', master)
          .update(`city/csfle-key-id/v1/${altName}`)
          .digest()
          .subarray(0, 16);
        id[6] = (id[6]! & 0x0f) | 0x40;
        id[8] = (id[8]! & 0x3f) | 0x80;
        try {
          await collection.insertOne({
            ...document,
            _id: new Binary(Buffer.from(id), Binary.SUBTYPE_UUID),
            keyMaterial: new Binary(Buffer.from(document.keyMaterial)),
            keyAltNames: [altName],
          } as never);
        } catch (error) {
          if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
        }
        stored = await collection.findOne({ keyAltNames: altName });
        if (stored === null) {
          throw new KeyVaultError('KEYVAULT_NOT_INITIALISED', `the data key ${altName} did not read back`);
        }
      }
      const keyId = new Uint8Array((stored._id as unknown as InstanceType<typeof Binary>).buffer);
      const material = new Uint8Array((stored.keyMaterial as InstanceType<typeof Binary>).buffer);
      keys.set(field, { keyId, dataKey: unwrapCsfleLocalDataKey(master, material), algorithm });
    }
    return keys;
  } finally {
    master.fill(0);
  }
}
