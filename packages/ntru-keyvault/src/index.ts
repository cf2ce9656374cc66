/**
 * @city/ntru-keyvault — post-quantum (NTRU / ML-KEM / hybrid) wrapped master key, per-purpose data
 * keys, PII field encryption with blind indexes, and MongoDB CSFLE glue. Every public export is
 * listed here by name.
 */
export type { CapsuleStore } from './capsule-store.js';
export { assertCapsuleName } from './capsule-store.js';
export type { CreateCsfleDataKeyOptions } from './create-csfle-data-key.js';
export { createCsfleDataKey } from './create-csfle-data-key.js';
export type { CsfleFieldCipherOptions, CsfleFieldKey } from './create-csfle-field-cipher.js';
export { CSFLE_FIELD_PREFIX, createCsfleFieldCipher } from './create-csfle-field-cipher.js';
export type {
  CreateEncryptedCollectionOptions,
  CsfleFieldMode,
  EncryptedCollection,
} from './create-encrypted-collection.js';
export { createEncryptedCollection } from './create-encrypted-collection.js';
export type { CsfleAlgorithm, CsfleLocalDataKeyDocument } from './csfle-local-codec.js';
export {
  createCsfleLocalDataKey,
  csfleKeyIdOf,
  decryptCsfleString,
  encryptCsfleString,
  unwrapCsfleLocalDataKey,
} from './csfle-local-codec.js';
export type { CsfleOptions } from './csfle-options.js';
export { csfleOptions } from './csfle-options.js';
export type { CsfleStatus } from './csfle-status.js';
export { csfleStatus } from './csfle-status.js';
export { decodeCapsule } from './decode-capsule.js';
export { encodeCapsule } from './encode-capsule.js';
export type { EnsureCsfleFieldKeysOptions } from './ensure-csfle-field-keys.js';
export { ensureCsfleFieldKeys } from './ensure-csfle-field-keys.js';
export type { FieldCipher, FieldContext } from './field-cipher.js';
export { FileCapsuleStore } from './file-capsule-store.js';
export { formatKemPrivateKeyPem } from './format-kem-private-key-pem.js';
export type { KemKeyPair } from './generate-kem-key-pair.js';
export { generateKemKeyPair, kemKeyPairFromPrivateKey } from './generate-kem-key-pair.js';
export type { KemAlgorithm } from './kem-algorithm.js';
export { DEFAULT_KEM_ALGORITHM, KEM_ALGORITHMS } from './kem-algorithm.js';
export type {
  KeyVaultInitOptions,
  KeyVaultOpenOptions,
  KeyVaultOpenOrInitOptions,
  KeyVaultStatus,
} from './key-vault.js';
export { KeyVault } from './key-vault.js';
export type { KeyVaultErrorCode } from './keyvault-error.js';
export { KeyVaultError } from './keyvault-error.js';
export type { KeyvaultInitResult } from './keyvault-init.js';
export { keyvaultInit } from './keyvault-init.js';
export type { KeyvaultRotateKemResult } from './keyvault-rotate-kem.js';
export { keyvaultRotateKem } from './keyvault-rotate-kem.js';
export type { KeyvaultStatusResult } from './keyvault-status.js';
export { keyvaultStatus } from './keyvault-status.js';
export type { KeyvaultUnwrapCheckResult } from './keyvault-unwrap-check.js';
export { keyvaultUnwrapCheck } from './keyvault-unwrap-check.js';
export type { LoadKemPrivateKeyOptions } from './load-kem-private-key.js';
export { KEM_PRIVATE_KEY_ENV, loadKemPrivateKey } from './load-kem-private-key.js';
export { MemoryCapsuleStore } from './memory-capsule-store.js';
export type { CapsuleHeader } from './read-capsule-header.js';
export { readCapsuleHeader } from './read-capsule-header.js';
export type { UnwrapKeyOptions } from './unwrap-key.js';
export { unwrapKey } from './unwrap-key.js';
export type { WrapKeyOptions } from './wrap-key.js';
export { wrapKey } from './wrap-key.js';
