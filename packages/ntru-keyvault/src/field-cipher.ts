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
  /** Encrypt a field value for exactly this (table, recordKey, attribute). */
  encrypt(plaintext: string, context: FieldContext): string;
  /** Decrypt; throws `FIELD_DECRYPT_FAILED` for a wrong context, key or any modification. */
  decrypt(ciphertext: string, context: FieldContext): string;
  /** 64 lower-hex characters: HMAC-SHA-256 under a key derived for `purpose`, over the normalised value. */
  blindIndex(purpose: string, value: string): string;
  /** Id of the data key this cipher uses (the second field of its ciphertexts). */
  readonly dataKeyId: string;
}
