/**
 * Per-field authenticated encryption for our own stores (AES-256-GCM, NIST SP 800-38D) and keyed
 * blind indexes (HMAC-SHA-256, RFC 2104). Obtain one from {@link KeyVault.fieldCipher}.
 *
 * Ciphertext string: `f1.<dataKeyId>.<nonce>.<ciphertext‖tag>` (base64url, no padding), additional
 * data = LP("city/field/v1") ‖ LP(dataKeyId) ‖ LP(table) ‖ LP(recordKey) ‖ LP(attribute) with LP a
 * 4-byte big-endian length prefix — a value moved to another record, attribute or table fails.
 */

/** Where a field value lives; bound into the ciphertext as additional data. */
export interface FieldContext {
  readonly table: string;
  readonly recordKey: string;
  readonly attribute: string;
}

/** Encrypts, decrypts and blind-indexes field values with one data key. */
export interface FieldCipher {
  /**
   * Encrypt a field value for exactly this (table, recordKey, attribute).
   * @throws {KeyVaultError} `INVALID_ARGUMENT` for a non-string or over-1-MiB plaintext, a lone surrogate, or a
   *   context part that is not a string of 1..1024 characters.
   */
  encrypt(plaintext: string, context: FieldContext): string;
  /**
   * Decrypt a value stored with {@link FieldCipher.encrypt} for the same context.
   * @throws {KeyVaultError} `FIELD_DECRYPT_FAILED` for a wrong context, key or any modification;
   *   `INVALID_ARGUMENT` for a non-string ciphertext or a bad context.
   */
  decrypt(ciphertext: string, context: FieldContext): string;
  /**
   * 64 lower-hex characters: HMAC-SHA-256 under a key derived for `purpose`, over the normalised value.
   * @throws {KeyVaultError} `INVALID_ARGUMENT` unless `purpose` is 1..64 characters of `[a-z0-9:._-]` starting
   *   with a letter or digit and `value` a string of at most 4096 characters.
   */
  blindIndex(purpose: string, value: string): string;
  /** Id of the data key this cipher uses (the second field of its ciphertexts). */
  readonly dataKeyId: string;
}
