/**
 * Password verification against stored hashes: Argon2id/Argon2i/Argon2d PHC strings (RFC 9106,
 * versions 0x13 and 0x10), scrypt PHC strings (RFC 7914) and the legacy salted SHA-256.
 *
 * Digests are compared with node:crypto timingSafeEqual. `needsRehash` follows OWASP's Argon2id
 * minimum (or the caller's), so a successful login can upgrade the stored hash.
 */
import { type Argon2Options, DEFAULT_ARGON2_OPTIONS } from './argon2-options.js';
import { deriveArgon2, deriveLegacySha256, deriveScrypt } from './lib/_derive.js';
import { assertPlainObject, assertString, assertWellFormedPassword } from './lib/_guards.js';
import { parseStoredHash, type StoredHash } from './lib/_parse-stored-hash.js';
import { passwordCandidates } from './lib/_password-candidates.js';
import { resolveArgon2Options } from './lib/_resolve-argon2-options.js';
import { timingSafeEqualBytes } from './lib/_timing-safe-equal.js';

/** The outcome of {@link verifyPassword}. `needsRehash` is only ever true when `valid` is. */
export interface VerifyPasswordResult {
  readonly valid: boolean;
  readonly needsRehash: boolean;
}

/** Rehash policy for {@link verifyPassword}: stored Argon2id costs below `minimum` need a rehash. */
export interface RehashPolicy {
  readonly minimum?: Argon2Options;
}

async function matches(stored: StoredHash, message: Uint8Array): Promise<boolean> {
  switch (stored.kind) {
    case 'argon2': {
      const derived = await deriveArgon2({
        algorithm: stored.algorithm,
        version: stored.version,
        message,
        nonce: stored.salt,
        memory: stored.memory,
        passes: stored.passes,
        parallelism: stored.parallelism,
        tagLength: stored.hash.length,
        associatedData: stored.associatedData,
      });
      return timingSafeEqualBytes(derived, stored.hash);
    }
    case 'scrypt':
      return timingSafeEqualBytes(await deriveScrypt(message, stored), stored.hash);
    case 'legacy-sha256':
      return timingSafeEqualBytes(deriveLegacySha256(message, stored.salt), stored.hash);
  }
}

function needsRehash(stored: StoredHash, minimum: Required<Argon2Options>): boolean {
  if (stored.kind !== 'argon2' || stored.algorithm !== 'argon2id' || stored.version !== 0x13) return true;
  return (
    stored.associatedData !== undefined ||
    stored.memory < minimum.memory ||
    stored.passes < minimum.passes ||
    stored.hash.length < minimum.tagLength ||
    stored.salt.length < minimum.saltLength
  );
}

/**
 * Checks `password` against a stored hash and says whether the hash should be upgraded.
 *
 * @throws PasswordError `INVALID_ARGUMENT` (wrong types, bad policy), `PASSWORD_TOO_LONG` (more than
 *   1024 UTF-8 bytes), `PASSWORD_HASH_MALFORMED` (unparseable stored string),
 *   `PASSWORD_HASH_UNSUPPORTED` (unknown algorithm, keyed hash, or costs beyond the safety limits).
 * @example
 * ```ts
 * const { valid, needsRehash } = await verifyPassword(user.passwordHash, input);
 * if (valid && needsRehash) user.passwordHash = await hashPassword(input);
 * ```
 */
export async function verifyPassword(
  stored: string,
  password: string,
  policy?: RehashPolicy,
): Promise<VerifyPasswordResult> {
  assertString(stored, 'stored');
  assertWellFormedPassword(password, 'password');
  let minimum: Required<Argon2Options> = { ...DEFAULT_ARGON2_OPTIONS };
  if (policy !== undefined) {
    assertPlainObject(policy, 'policy');
    minimum = resolveArgon2Options(policy.minimum, 'policy.minimum');
  }
  const candidates = passwordCandidates(password, false);
  const parsed = parseStoredHash(stored);
  if (parsed.kind === 'legacy-sha256') candidates.reverse();
  let valid = false;
  try {
    for (const message of candidates) {
      if (await matches(parsed, message)) {
        valid = true;
        break;
      }
    }
  } finally {
    for (const message of candidates) message.fill(0);
  }
  return { valid, needsRehash: valid && needsRehash(parsed, minimum) };
}
