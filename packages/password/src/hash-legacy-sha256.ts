/**
 * The legacy password hash, kept only to verify and migrate old records.
 *
 * Stored form: `sha256$<salt hex>$<hex SHA-256(salt bytes ‖ UTF-8 password)>`. Legacy records kept the salt
 * (16 random bytes, stored as hex) and the hex digest in two fields; this package joins them into one
 * string. The password is used as given (legacy hashes were made without normalisation). Never use this for new hashes.
 */
import { generateSalt } from './generate-salt.js';
import { deriveLegacySha256 } from './lib/_derive.js';
import { assertBytes, assertString, encodePassword, invalidArgument } from './lib/_guards.js';
import { MAX_LEGACY_SALT_BYTES } from './lib/_limits.js';

/**
 * Computes a legacy `sha256$<saltHex>$<hashHex>` string (migration tests and imports only).
 *
 * @throws PasswordError `INVALID_ARGUMENT` (password not a string, salt not a 1..1024-byte Uint8Array),
 *   `PASSWORD_TOO_LONG` (more than 1024 UTF-8 bytes).
 * @example
 * ```ts
 * hashLegacySha256('password123', Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
 * // 'sha256$00112233445566778899aabbccddeeff$…'
 * ```
 */
export function hashLegacySha256(password: string, salt?: Uint8Array): string {
  assertString(password, 'password');
  if (!password.isWellFormed()) throw invalidArgument('"password" must be well-formed Unicode');
  const saltBytes = salt === undefined ? generateSalt(16) : salt;
  assertBytes(saltBytes, 'salt');
  if (saltBytes.length < 1 || saltBytes.length > MAX_LEGACY_SALT_BYTES) {
    throw invalidArgument(`"salt" expected 1..${MAX_LEGACY_SALT_BYTES} bytes, got ${saltBytes.length}`);
  }
  const message = encodePassword(password);
  const digest = deriveLegacySha256(message, saltBytes);
  message.fill(0);
  return `sha256$${Buffer.from(saltBytes).toString('hex')}$${digest.toString('hex')}`;
}
