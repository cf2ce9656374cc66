/**
 * Key wrapping: KEM encapsulate → HKDF-SHA-256 → AES-256-GCM (NIST SP 800-38D) over the key with
 * the capsule header as additional data. Layout in lib/_capsule-format.ts and README.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { KeyVaultError } from './keyvault-error.js';
import { assertBytes, zeroize } from './lib/_bytes.js';
import { MAX_WRAPPED_KEY_LENGTH, NONCE_LENGTH, serializeCapsule } from './lib/_capsule-format.js';
import { DEFAULT_CAPSULE_LABEL, deriveCapsuleKey } from './lib/_capsule-kdf.js';
import { kemBackend } from './lib/_kem.js';
import { decodePublicKey } from './lib/_key-encoding.js';

/** Options of {@link wrapKey}. */
export interface WrapKeyOptions {
  /** Context label bound into the key derivation; unwrap must pass the same label. */
  readonly label?: string;
  /** Expected key id of `publicKey`; a mismatch throws instead of wrapping to an unexpected key. */
  readonly keyId?: string;
  /** Creation time written into the capsule header (defaults to now). */
  readonly now?: Date;
}

export function assertLabel(label: unknown): string {
  if (label === undefined) return DEFAULT_CAPSULE_LABEL;
  if (typeof label !== 'string') {
    throw new KeyVaultError('INVALID_ARGUMENT', `"label" expected string, got ${typeof label}`);
  }
  if (label.length === 0 || label.length > 256) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"label" expected 1..256 characters, got ${label.length}`);
  }
  return label;
}

/**
 * Wrap `key` (1..1024 bytes) to a KEM public key; returns the capsule bytes.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` (bad key, label, keyId, now), `KEY_MALFORMED`, `KEM_ALGORITHM_UNSUPPORTED`.
 * @example
 * ```ts
 * const capsule = await wrapKey(masterKey, pair.publicKey, { label: 'city/keyvault/master' });
 * ```
 */
export async function wrapKey(
  key: Uint8Array,
  publicKey: string,
  options: WrapKeyOptions = {},
): Promise<Uint8Array> {
  assertBytes(key, 'key');
  if (key.length < 1 || key.length > MAX_WRAPPED_KEY_LENGTH) {
    throw new KeyVaultError('INVALID_ARGUMENT', `"key" expected 1..1024 bytes, got ${key.length}`);
  }
  const label = assertLabel(options.label);
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime()) || now.getTime() < 0) {
    throw new KeyVaultError('INVALID_ARGUMENT', '"now" expected a valid Date after 1970');
  }
  const recipient = decodePublicKey(publicKey);
  if (options.keyId !== undefined && options.keyId !== recipient.keyId) {
    throw new KeyVaultError(
      'INVALID_ARGUMENT',
      `"keyId" ${String(options.keyId)} does not match the public key`,
    );
  }
  const { ciphertext: kemCiphertext, sharedSecret } = await kemBackend(recipient.algorithm).encapsulate(
    recipient.publicKey,
  );
  const aesKey = deriveCapsuleKey(sharedSecret, label, recipient.algorithm, recipient.keyId);
  const nonce = randomBytes(NONCE_LENGTH);
  const capsule = serializeCapsule({
    algorithm: recipient.algorithm,
    keyId: recipient.keyId,
    createdAt: now,
    kemCiphertext,
    nonce,
    keyLength: key.length,
  });
  const cipher = createCipheriv('aes-256-gcm', aesKey, nonce);
  cipher.setAAD(capsule.header);
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  zeroize(sharedSecret, aesKey);
  return capsule.finish(ciphertext, cipher.getAuthTag());
}
