/** Parses the base64 text form of a capsule back to bytes (README "Capsule format"). */
import { KeyVaultError } from './keyvault-error.js';
import { decodeBase64Strict } from './lib/_bytes.js';
import { capsuleMalformed, MAX_CAPSULE_LENGTH, parseCapsule } from './lib/_capsule-format.js';

/**
 * Decode a base64 capsule and check its structure.
 *
 * @throws KeyVaultError `CAPSULE_MALFORMED`, `CAPSULE_UNSUPPORTED_VERSION`, `INVALID_ARGUMENT` (not a string).
 * @example
 * ```ts
 * const key = await unwrapKey(decodeCapsule(text), privateKey);
 * ```
 */
export function decodeCapsule(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new KeyVaultError('INVALID_ARGUMENT', `"text" expected string, got ${typeof text}`);
  }
  if (text.length > (MAX_CAPSULE_LENGTH * 4) / 3 + 8) throw capsuleMalformed();
  const bytes = decodeBase64Strict(text);
  if (bytes === undefined) throw capsuleMalformed();
  parseCapsule(bytes);
  return bytes;
}
