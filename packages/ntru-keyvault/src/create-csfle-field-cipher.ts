/**
 * PII fields in MongoDB CSFLE's wire format (MongoDB Client Side Encryption specification,
 * AEAD_AES_256_CBC_HMAC_SHA_512, see csfle-local-codec): a {@link FieldCipher} whose `encrypt`
 * produces, for the chosen attributes of one table, `fle1.<base64url of the BinData subtype 6
 * payload>` — the MongoDB adapter stores it as that BinData, which any driver with CSFLE
 * decrypts with the data key from the key vault collection. Each attribute has its own data key
 * (so a value moved to another attribute fails: its key id differs), deterministic where the
 * field is looked up, random elsewhere. CSFLE binds a value to its data key, not to its
 * document: unlike the `f1.` format, a value copied into another user's document decrypts there
 * (a property of MongoDB CSFLE itself). Other tables and attributes, blind indexes and values in
 * the `f1.` format (written before) go to the fallback cipher, so both formats are read.
 */
import type { CsfleAlgorithm } from './csfle-local-codec.js';
import { csfleKeyIdOf, decryptCsfleString, encryptCsfleString } from './csfle-local-codec.js';
import type { FieldCipher, FieldContext } from './field-cipher.js';
import { KeyVaultError } from './keyvault-error.js';

/** Prefix of a field ciphertext in CSFLE format. */
export const CSFLE_FIELD_PREFIX = 'fle1.';

/** The CSFLE data key of one attribute. */
export interface CsfleFieldKey {
  /** UUID of the data key document (16 bytes). */
  readonly keyId: Uint8Array;
  /** The 96-byte data key (unwrapped from the key vault collection). */
  readonly dataKey: Uint8Array;
  readonly algorithm: CsfleAlgorithm;
}

/** Options of {@link createCsfleFieldCipher}. */
export interface CsfleFieldCipherOptions {
  /** Cipher for everything not in `fields`, for `f1.` values and for blind indexes. */
  readonly fallback: FieldCipher;
  /** The table whose attributes are CSFLE-encrypted (e.g. `users`). */
  readonly table: string;
  /** Attribute → its data key. */
  readonly fields: ReadonlyMap<string, CsfleFieldKey>;
}

/**
 * A FieldCipher writing the given attributes in CSFLE format and reading both formats.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` for bad options; the returned cipher's `decrypt` throws
 *   `FIELD_DECRYPT_FAILED` for a wrong key, another attribute's value or any modification.
 * @example
 * ```ts
 * const pii = createCsfleFieldCipher({ fallback, table: 'users', fields: new Map([['email', emailKey]]) });
 * const stored = pii.encrypt('alice@example.org', { table: 'users', recordKey: uuid, attribute: 'email' });
 * ```
 */
export function createCsfleFieldCipher(options: CsfleFieldCipherOptions): FieldCipher {
  const { fallback, table, fields } = options ?? ({} as CsfleFieldCipherOptions);
  if (typeof fallback?.encrypt !== 'function' || typeof table !== 'string' || !(fields instanceof Map)) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"options" expected { fallback, table, fields }');
  }
  const keyOf = (context: FieldContext): CsfleFieldKey | undefined =>
    context?.table === table ? fields.get(context.attribute) : undefined;
  return {
    dataKeyId: fallback.dataKeyId,
    blindIndex: (purpose, value) => fallback.blindIndex(purpose, value),
    encrypt(plaintext, context) {
      const key = keyOf(context);
      if (key === undefined) return fallback.encrypt(plaintext, context);
      const payload = encryptCsfleString(key.dataKey, key.keyId, plaintext, key.algorithm);
      return `${CSFLE_FIELD_PREFIX}${Buffer.from(payload).toString('base64url')}`;
    },
    decrypt(ciphertext, context) {
      if (typeof ciphertext !== 'string' || !ciphertext.startsWith(CSFLE_FIELD_PREFIX)) {
        return fallback.decrypt(ciphertext, context);
      }
      const key = keyOf(context);
      const payload = new Uint8Array(Buffer.from(ciphertext.slice(CSFLE_FIELD_PREFIX.length), 'base64url'));
      if (key === undefined || Buffer.compare(csfleKeyIdOf(payload), key.keyId) !== 0) {
        throw new KeyVaultError('FIELD_DECRYPT_FAILED', 'field decryption failed');
      }
      return decryptCsfleString(key.dataKey, payload);
    },
  };
}
