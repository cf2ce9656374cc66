/**
 * Bounds on cost parameters, for new hashes and for stored hashes.
 *
 * A stored hash is attacker-influenced data once a database leaks or an import file is forged:
 * `m=4294967295` or `t=1000000` would turn one login into a denial of service, so parameters outside
 * these bounds are refused before any work is done.
 */

/** 1 GiB: far above any sane interactive setting, below what would exhaust a server. */
export const MAX_ARGON2_MEMORY_KIB = 1024 * 1024;
export const MAX_ARGON2_PASSES = 100;
export const MAX_ARGON2_PARALLELISM = 64;
/** Argon2 v1.0 hashes run in pure JavaScript (the native engines are used for v1.3 only), so they get tighter bounds. */
export const MAX_ARGON2_V10_MEMORY_KIB = 64 * 1024;
export const MAX_ARGON2_V10_PASSES = 10;
/** RFC 9106 section 3.1: the salt is at least 8 bytes; the tag at least 4. */
export const MIN_SALT_BYTES = 8;
export const MAX_SALT_BYTES = 64;
export const MIN_STORED_TAG_BYTES = 4;
export const MIN_NEW_TAG_BYTES = 16;
export const MAX_TAG_BYTES = 128;
/** scrypt: N = 2^ln, memory = 128 * N * r bytes; capped at 256 MiB. */
export const MAX_SCRYPT_LN = 20;
export const MAX_SCRYPT_R = 32;
export const MAX_SCRYPT_P = 16;
export const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;
/** Longest password accepted for hashing or verification, in UTF-8 bytes. */
export const MAX_PASSWORD_BYTES = 1024;
export const MAX_LEGACY_SALT_BYTES = 1024;
