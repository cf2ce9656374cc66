/**
 * Dummy verification for unknown users (defence against user enumeration by timing, OWASP
 * Authentication Cheat Sheet): the same Argon2id work as verifying against a default-parameter hash.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from './hash-password.js';
import { assertWellFormedPassword } from './lib/_guards.js';
import { verifyPassword } from './verify-password.js';

let dummyHash: Promise<string> | undefined;

function getDummyHash(): Promise<string> {
  // Hashed once, lazily, from a random password nobody knows; a failed attempt is retried next time.
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url')).catch((err: unknown) => {
    dummyHash = undefined;
    throw err;
  });
  return dummyHash;
}

/**
 * Spends the cost of a real verification and always answers "not valid".
 *
 * @throws PasswordError `INVALID_ARGUMENT` (password not a well-formed string), `PASSWORD_TOO_LONG`
 *   (more than 1024 UTF-8 bytes) — the same input errors as {@link verifyPassword}.
 * @example
 * ```ts
 * const user = await users.findByName(name);
 * const result = user ? await verifyPassword(user.passwordHash, pw) : await verifyDummyPassword(pw);
 * ```
 */
export async function verifyDummyPassword(password: string): Promise<{ valid: false; needsRehash: false }> {
  assertWellFormedPassword(password, 'password');
  await verifyPassword(await getDummyHash(), password);
  return { valid: false, needsRehash: false };
}
