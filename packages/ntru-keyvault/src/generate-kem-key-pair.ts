/**
 * KEM key pair generation and the self-describing key encoding (see README "Key encoding").
 * Private keys leave this module only as strings; objects holding them redact themselves in logs.
 */
import { DEFAULT_KEM_ALGORITHM, type KemAlgorithm } from './kem-algorithm.js';
import { kemBackend } from './lib/_kem.js';
import { computeKeyId, decodePrivateKey, encodePrivateKey, encodePublicKey } from './lib/_key-encoding.js';
import { redactSecrets } from './lib/_redact.js';

/** A KEM key pair in its self-describing base64 form. `privateKey` is redacted from JSON/inspect/toString. */
export interface KemKeyPair {
  readonly algorithm: KemAlgorithm;
  /** Short hash of the public key (16 lower-hex characters); also written into every capsule. */
  readonly keyId: string;
  /** Base64 of the self-describing public key. */
  readonly publicKey: string;
  /** Base64 of the self-describing private key (carries the public key as well). */
  readonly privateKey: string;
}

function keyPair(algorithm: KemAlgorithm, keyId: string, publicKey: string, privateKey: string): KemKeyPair {
  return redactSecrets({ algorithm, keyId, publicKey, privateKey }, ['privateKey']);
}

/**
 * Generate a KEM key pair (default NTRU-HRSS-701).
 *
 * @throws KeyVaultError `KEM_ALGORITHM_UNSUPPORTED` for an unknown algorithm.
 * @example
 * ```ts
 * const pair = await generateKemKeyPair('x25519+ml-kem-768');
 * await writeFile('kem.key', formatKemPrivateKeyPem(pair.privateKey), { mode: 0o600 });
 * ```
 */
export async function generateKemKeyPair(
  algorithm: KemAlgorithm = DEFAULT_KEM_ALGORITHM,
): Promise<KemKeyPair> {
  const backend = kemBackend(algorithm);
  const raw = await backend.generate();
  const pair = keyPair(
    algorithm,
    computeKeyId(algorithm, raw.publicKey),
    encodePublicKey(algorithm, raw.publicKey),
    encodePrivateKey(algorithm, raw.secretKey, raw.publicKey),
  );
  raw.secretKey.fill(0);
  return pair;
}

/**
 * Rebuild the full key pair (algorithm, key id, public key) from a private key.
 *
 * @throws KeyVaultError `KEY_MALFORMED` / `KEM_ALGORITHM_UNSUPPORTED` / `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const { publicKey, keyId } = kemKeyPairFromPrivateKey(process.env.CITY_KEM_PRIVATE_KEY ?? '');
 * ```
 */
export function kemKeyPairFromPrivateKey(privateKey: string): KemKeyPair {
  const decoded = decodePrivateKey(privateKey);
  return keyPair(
    decoded.algorithm,
    decoded.keyId,
    encodePublicKey(decoded.algorithm, decoded.publicKey),
    encodePrivateKey(decoded.algorithm, decoded.secretKey, decoded.publicKey),
  );
}
