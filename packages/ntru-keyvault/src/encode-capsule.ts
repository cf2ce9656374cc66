/** Text form of capsules: standard base64 of the binary layout (README "Capsule format"). */

import { toBase64 } from './lib/_bytes.js';
import { parseCapsule } from './lib/_capsule-format.js';

/**
 * Encode capsule bytes as base64 (validates the structure first).
 *
 * @throws KeyVaultError `CAPSULE_MALFORMED`, `CAPSULE_UNSUPPORTED_VERSION`, `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * process.env.CITY_MASTER_CAPSULE = encodeCapsule(await wrapKey(key, pair.publicKey));
 * ```
 */
export function encodeCapsule(bytes: Uint8Array): string {
  parseCapsule(bytes);
  return toBase64(bytes);
}
