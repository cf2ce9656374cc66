/** Reads the public header of a capsule without any key (for status displays and key selection). */
import type { KemAlgorithm } from './kem-algorithm.js';
import { parseCapsule } from './lib/_capsule-format.js';

/** The unauthenticated header fields of a capsule (authenticated only once it unwraps). */
export interface CapsuleHeader {
  readonly version: number;
  readonly algorithm: KemAlgorithm;
  readonly keyId: string;
  readonly createdAt: Date;
  /** Length of the wrapped key in bytes. */
  readonly keyLength: number;
  /** Total capsule length in bytes. */
  readonly byteLength: number;
}

/**
 * Read a capsule's header.
 *
 * @throws KeyVaultError `CAPSULE_MALFORMED`, `CAPSULE_UNSUPPORTED_VERSION`, `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const { keyId } = readCapsuleHeader(capsule); // pick the private key with this id
 * ```
 */
export function readCapsuleHeader(bytes: Uint8Array): CapsuleHeader {
  const parsed = parseCapsule(bytes);
  return {
    version: parsed.version,
    algorithm: parsed.algorithm,
    keyId: parsed.keyId,
    createdAt: parsed.createdAt,
    keyLength: parsed.ciphertext.length,
    byteLength: bytes.length,
  };
}
