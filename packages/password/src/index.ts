/**
 * @city/password — Argon2id password hashing (RFC 9106, PHC string format), verification of Argon2,
 * scrypt and legacy salted SHA-256 hashes with rehash signalling, and a NIST SP 800-63B password policy.
 */

export { argon2Engine } from './argon2-engine.js';
export type { Argon2Options } from './argon2-options.js';
export { DEFAULT_ARGON2_OPTIONS } from './argon2-options.js';
export { assertPasswordPolicy } from './assert-password-policy.js';
export type { PasswordPolicyContext, PolicyResult } from './check-password-policy.js';
export { checkPasswordPolicy } from './check-password-policy.js';
export { generateSalt } from './generate-salt.js';
export { hashLegacySha256 } from './hash-legacy-sha256.js';
export { hashPassword } from './hash-password.js';
export { normalizePassword } from './normalize-password.js';
export { PasswordError, PasswordPolicyError } from './password-error.js';
export { verifyDummyPassword } from './verify-dummy-password.js';
export type { RehashPolicy, VerifyPasswordResult } from './verify-password.js';
export { verifyPassword } from './verify-password.js';
