/**
 * The key encapsulation mechanisms a capsule can be wrapped with.
 *
 * - NTRU-HRSS-701, NTRU-HPS-2048-677 (NTRU round 3 submission) and sntrup761 (NTRU Prime) come from
 *   Open Quantum Safe's liboqs compiled to WebAssembly (`@oqs/liboqs-js`).
 * - ML-KEM-768 / ML-KEM-1024 (FIPS 203) come from native `node:crypto` (OpenSSL 3.5).
 * - The `x25519+…` hybrids combine X25519 ECDH with a post-quantum KEM, so that recovering the
 *   wrapped key needs breaking both.
 */

/** A supported KEM algorithm name. */
export type KemAlgorithm =
  | 'ntru-hrss-701'
  | 'ntru-hps-2048-677'
  | 'sntrup761'
  | 'ml-kem-768'
  | 'ml-kem-1024'
  | 'x25519+ntru-hrss-701'
  | 'x25519+ml-kem-768';

/**
 * Every supported KEM algorithm, in capsule-id order.
 *
 * @example
 * ```ts
 * for (const algorithm of KEM_ALGORITHMS) await generateKemKeyPair(algorithm);
 * ```
 */
export const KEM_ALGORITHMS: readonly KemAlgorithm[] = Object.freeze([
  'ntru-hrss-701',
  'ntru-hps-2048-677',
  'sntrup761',
  'ml-kem-768',
  'ml-kem-1024',
  'x25519+ntru-hrss-701',
  'x25519+ml-kem-768',
]);

/**
 * The default KEM: NTRU-HRSS-701, the NTRU variant the original system used.
 *
 * @example
 * ```ts
 * const pair = await generateKemKeyPair(DEFAULT_KEM_ALGORITHM);
 * ```
 */
export const DEFAULT_KEM_ALGORITHM: KemAlgorithm = 'ntru-hrss-701';
