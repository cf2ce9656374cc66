/**
 * Key unwrapping, the inverse of {@link wrapKey}. Every authentication failure (wrong private key,
 * wrong label, any modified byte) gives the same fixed message; structural problems are
 * `CAPSULE_MALFORMED` before any secret is touched.
 */
import { createDecipheriv } from 'node:crypto';
import { KeyVaultError } from './keyvault-error.js';
import { zeroize } from './lib/_bytes.js';
import { parseCapsule } from './lib/_capsule-format.js';
import { deriveCapsuleKey } from './lib/_capsule-kdf.js';
import { kemBackend } from './lib/_kem.js';
import { decodePrivateKey } from './lib/_key-encoding.js';
import { assertLabel } from './wrap-key.js';

/** Options of {@link unwrapKey}. */
export interface UnwrapKeyOptions {
  /** The label the capsule was wrapped with. */
  readonly label?: string;
}

function unwrapFailed(cause?: unknown): KeyVaultError {
  return new KeyVaultError(
    'KEYVAULT_UNWRAP_FAILED',
    'key unwrap failed',
    cause === undefined ? {} : { cause },
  );
}

/**
 * Unwrap a capsule with the KEM private key; returns the wrapped key.
 *
 * @throws KeyVaultError `KEYVAULT_UNWRAP_FAILED` (wrong key/label, tampering), `CAPSULE_MALFORMED`,
 *   `CAPSULE_UNSUPPORTED_VERSION`, `KEY_MALFORMED`, `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const masterKey = await unwrapKey(capsule, privateKey, { label: 'city/keyvault/master' });
 * ```
 */
export async function unwrapKey(
  capsule: Uint8Array,
  privateKey: string,
  options: UnwrapKeyOptions = {},
): Promise<Uint8Array> {
  const parsed = parseCapsule(capsule);
  const label = assertLabel(options.label);
  const recipient = decodePrivateKey(privateKey);
  // A capsule for another key or algorithm cannot open; say so with the same message as tampering.
  if (parsed.algorithm !== recipient.algorithm || parsed.keyId !== recipient.keyId) throw unwrapFailed();
  let sharedSecret: Uint8Array;
  try {
    sharedSecret = await kemBackend(parsed.algorithm).decapsulate(
      parsed.kemCiphertext,
      recipient.secretKey,
      recipient.publicKey,
    );
  } catch (cause) {
    throw unwrapFailed(cause);
  }
  const aesKey = deriveCapsuleKey(sharedSecret, label, parsed.algorithm, parsed.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey, parsed.nonce);
    decipher.setAAD(parsed.aad);
    decipher.setAuthTag(parsed.tag);
    return new Uint8Array(Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]));
  } catch {
    throw unwrapFailed();
  } finally {
    zeroize(sharedSecret, aesKey);
  }
}
