/**
 * Argon2id cost parameters (RFC 9106 section 3.1) and the defaults used for new hashes.
 *
 * The defaults are OWASP's minimum for Argon2id (m=19456 KiB, t=2, p=1), with a 32-byte tag and a
 * 16-byte salt (RFC 9106 section 4 recommends 16 bytes of salt).
 */

/** Cost and size parameters for Argon2id. All fields optional; missing fields take the defaults. */
export interface Argon2Options {
  /** Memory size `m` in KiB. */
  readonly memory?: number;
  /** Number of passes `t`. */
  readonly passes?: number;
  /** Degree of parallelism `p`. */
  readonly parallelism?: number;
  /** Tag (hash output) length in bytes. */
  readonly tagLength?: number;
  /** Salt length in bytes. */
  readonly saltLength?: number;
}

/**
 * The parameters `hashPassword` uses when none are given, and the minimum `verifyPassword` compares
 * stored hashes against for `needsRehash`.
 *
 * @throws never
 * @example
 * ```ts
 * await hashPassword(pw, { ...DEFAULT_ARGON2_OPTIONS, memory: 65536 });
 * ```
 */
export const DEFAULT_ARGON2_OPTIONS: Readonly<Required<Argon2Options>> = Object.freeze({
  memory: 19456,
  passes: 2,
  parallelism: 1,
  tagLength: 32,
  saltLength: 16,
});
