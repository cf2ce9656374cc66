/**
 * Argon2id password hashing (RFC 9106) with PHC string output, computed natively off the event loop
 * (@node-rs/argon2, or node:crypto where that binding cannot load; see `lib/_argon2-engine.ts`).
 *
 * The password is NFKC-normalised (NIST SP 800-63B section 5.1.1.2) and UTF-8 encoded; input longer
 * than 1024 UTF-8 bytes is refused before hashing so that a huge body cannot buy a long Argon2 run.
 */
import { randomBytes } from 'node:crypto';
import type { Argon2Options } from './argon2-options.js';
import { deriveArgon2 } from './lib/_derive.js';
import { encodeArgon2idPhc } from './lib/_encode-phc.js';
import {
  assertPasswordLength,
  assertWellFormedPassword,
  encodePassword,
  invalidArgument,
} from './lib/_guards.js';
import { nfkc } from './lib/_normalize.js';
import { resolveArgon2Options } from './lib/_resolve-argon2-options.js';

/**
 * Hashes a password with Argon2id and returns `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`.
 *
 * @throws PasswordError `INVALID_ARGUMENT` (password not a non-empty well-formed string, bad options),
 *   `PASSWORD_TOO_LONG` (more than 1024 UTF-8 bytes).
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple');
 * // '$argon2id$v=19$m=19456,t=2,p=1$…$…'
 * ```
 */
export async function hashPassword(password: string, options?: Argon2Options): Promise<string> {
  assertWellFormedPassword(password, 'password');
  if (password.length === 0) throw invalidArgument('"password" must not be empty');
  const params = resolveArgon2Options(options, 'options');
  // Checked on the raw input first: NFKC of a megabyte string is itself work an attacker could buy.
  assertPasswordLength(password);
  const message = encodePassword(nfkc(password));
  const salt = randomBytes(params.saltLength);
  try {
    const hash = await deriveArgon2({
      algorithm: 'argon2id',
      version: 0x13,
      message,
      nonce: salt,
      memory: params.memory,
      passes: params.passes,
      parallelism: params.parallelism,
      tagLength: params.tagLength,
    });
    return encodeArgon2idPhc(params, salt, hash);
  } finally {
    message.fill(0);
  }
}
