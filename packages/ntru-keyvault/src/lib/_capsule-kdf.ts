/**
 * Capsule key derivation (internal): HKDF-SHA-256 (RFC 5869) from the KEM shared secret to the
 * AES-256-GCM key. Salt binds the context label; info binds algorithm and key id, so a capsule made
 * for one label, algorithm or key cannot be opened as another even if the shared secret collided.
 */
import { hkdfSync } from 'node:crypto';
import type { KemAlgorithm } from '../kem-algorithm.js';
import { lengthPrefixed } from './_bytes.js';

export const DEFAULT_CAPSULE_LABEL = 'city/ntru-keyvault';

export function deriveCapsuleKey(
  sharedSecret: Uint8Array,
  label: string,
  algorithm: KemAlgorithm,
  keyId: string,
): Uint8Array {
  const salt = lengthPrefixed('city/ntru-keyvault/capsule/v1', label);
  const info = lengthPrefixed('aes-256-gcm', algorithm, keyId);
  return new Uint8Array(hkdfSync('sha256', sharedSecret, salt, info, 32));
}
