/**
 * Internal: how mongodb mode encrypts personal data. With MongoDB CSFLE (`csfle`), the profile
 * fields of `users` are written in CSFLE's wire format (createCsfleFieldCipher): data keys in the
 * key vault collection `<prefix>keyvault_datakeys` of the same database (`local` KMS provider,
 * master key = the key vault's NTRU-unwrapped 96-byte master key), deterministic for the fields
 * that are looked up (email, mynumber), random for the others — so any driver with CSFLE, given
 * the master key, reads them. The fields are encrypted by the built-in implementation of that
 * format in every case (the use cases encrypt synchronously; libmongocrypt's API is
 * asynchronous), and the native `mongodb-client-encryption` module is reported, not required.
 *
 * `auto` (the default) uses CSFLE when the native module loads or when the deployment already has
 * its CSFLE data keys, and otherwise keeps today's field cipher (AES-256-GCM, `f1.`), saying so.
 * Whatever is chosen, values of both formats are read: a deployment that changes format keeps
 * reading what it wrote before.
 */

import type { MongoStores } from '@city/db-integration/mongodb';
import { isCityError } from '@city/errors';
import {
  CSFLE_FIELD_PREFIX,
  createCsfleFieldCipher,
  csfleStatus,
  ensureCsfleFieldKeys,
  type FieldCipher,
  type KeyVault,
} from '@city/ntru-keyvault';
import { ConflictError, NotFoundError, type UserStore } from '@city/ports';
import type { PiiEncryption } from './_pii-encryption.js';
import { SecretsError } from './secrets-error.js';

/** Profile fields of `users` and their CSFLE algorithm: deterministic where looked up. */
const CSFLE_FIELDS = new Map([
  ['email', 'deterministic'],
  ['mynumber', 'deterministic'],
  ['name', 'random'],
  ['birth_date', 'random'],
  ['address', 'random'],
  ['phone', 'random'],
] as const);

export interface MongoPiiCipher {
  readonly cipher: FieldCipher;
  /** The start-up line: the cipher mode and whether the native module loaded. */
  readonly describe: string;
  /** Users whose profile was rewritten from the field cipher's format into CSFLE on this start. */
  readonly migrated?: number | undefined;
}

export async function mongoPiiCipher(options: {
  readonly client: MongoStores['db']['client'];
  readonly dbName: string;
  readonly collectionPrefix?: string | undefined;
  readonly vault: KeyVault;
  readonly fallback: FieldCipher;
  readonly mode?: PiiEncryption | undefined;
  /** The user store: profiles still in the field cipher's format are rewritten when CSFLE is chosen. */
  readonly users: UserStore;
}): Promise<MongoPiiCipher> {
  const prefix = options.collectionPrefix ?? '';
  const keyVaultNamespace = `${options.dbName}.${prefix}keyvault_datakeys`;
  const altNamePrefix = `city-${prefix}users-`;
  const status = await csfleStatus();
  const native = status.available
    ? 'mongodb-client-encryption native module loaded'
    : 'mongodb-client-encryption native module not loaded';
  const keyCount = await options.client
    .db(options.dbName)
    .collection(`${prefix}keyvault_datakeys`)
    .countDocuments({
      keyAltNames: { $in: [...CSFLE_FIELDS.keys()].map((field) => `${altNamePrefix}${field}`) },
    });
  const mode = options.mode ?? 'auto';
  const useCsfle = mode === 'csfle' || (mode === 'auto' && (status.available || keyCount > 0));
  if (!useCsfle && keyCount === 0) {
    return {
      cipher: options.fallback,
      describe:
        `field cipher (AES-256-GCM under the key vault's pii data key); MongoDB CSFLE not used: ` +
        (mode === 'field-cipher' ? `field-cipher chosen (${native})` : `${native}`),
    };
  }
  let keys: Awaited<ReturnType<typeof ensureCsfleFieldKeys>>;
  try {
    keys = await ensureCsfleFieldKeys({
      client: options.client,
      vault: options.vault,
      keyVaultNamespace,
      fields: new Map(CSFLE_FIELDS),
      altNamePrefix,
    });
  } catch (cause) {
    if (isCityError(cause) && cause.code === 'FIELD_DECRYPT_FAILED') {
      throw new SecretsError(
        'SECRETS_MISMATCH',
        `the CSFLE data keys in ${keyVaultNamespace} do not open with the master key of the key vault in ` +
          `${options.vault.status().store}: they were created under another master key (rewrap them after a master-key ` +
          'rotation); personal data written with them cannot be read',
        { cause },
      );
    }
    throw cause;
  }
  const csfle = createCsfleFieldCipher({ fallback: options.fallback, table: 'users', fields: keys });
  if (!useCsfle) {
    // Chosen to write the field cipher again: CSFLE values written before stay readable.
    return {
      cipher: {
        dataKeyId: options.fallback.dataKeyId,
        encrypt: (plaintext, context) => options.fallback.encrypt(plaintext, context),
        decrypt: (ciphertext, context) => csfle.decrypt(ciphertext, context),
        blindIndex: (purpose, value) => options.fallback.blindIndex(purpose, value),
      },
      describe: `field cipher (AES-256-GCM under the key vault's pii data key), field-cipher chosen; CSFLE values written before are read with the data keys in ${keyVaultNamespace} (${native})`,
    };
  }
  const deterministic = [...CSFLE_FIELDS].filter(([, a]) => a === 'deterministic').map(([f]) => f);
  const random = [...CSFLE_FIELDS].filter(([, a]) => a === 'random').map(([f]) => f);
  const migrated = await rewriteProfilesToCsfle(options.users, options.fallback, csfle);
  return {
    cipher: csfle,
    migrated,
    describe:
      `MongoDB CSFLE (AEAD_AES_256_CBC_HMAC_SHA_512; deterministic: ${deterministic.join(', ')}; random: ${random.join(', ')}), ` +
      `data keys in ${keyVaultNamespace} under the key vault's master key (local KMS); fields encrypted by the built-in ` +
      `implementation of the CSFLE wire format; ${native}`,
  };
}

/**
 * Rewrites the profile fields still in the field cipher's `f1.` format into CSFLE, one user at a
 * time under its version (a user changed meanwhile is left for the next start), so that a CSFLE
 * driver reads every profile, not only those written after the switch.
 */
async function rewriteProfilesToCsfle(
  users: UserStore,
  fallback: FieldCipher,
  csfle: FieldCipher,
): Promise<number> {
  let rewritten = 0;
  let cursor: string | undefined;
  do {
    const page = await users.list({ limit: 100, cursor });
    for (const user of page.items) {
      const stale = Object.entries(user.encrypted).filter(
        ([attribute, value]) => CSFLE_FIELDS.has(attribute as never) && !value.startsWith(CSFLE_FIELD_PREFIX),
      );
      if (stale.length === 0) continue;
      const encrypted = { ...user.encrypted };
      for (const [attribute, value] of stale) {
        const context = { table: 'users', recordKey: user.uuid, attribute };
        encrypted[attribute] = csfle.encrypt(fallback.decrypt(value, context), context);
      }
      try {
        await users.update(user.uuid, { encrypted }, user.version, user.updatedAt);
        rewritten += 1;
      } catch (error) {
        if (!(error instanceof ConflictError) && !(error instanceof NotFoundError)) throw error;
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return rewritten;
}
