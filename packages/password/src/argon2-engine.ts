/**
 * Diagnostics: which implementation computes Argon2 version 0x13 (RFC 9106) in this process.
 *
 * `@node-rs/argon2` when its prebuilt native binding loads, otherwise `node:crypto` (OpenSSL); the
 * choice is made once at start-up and can be forced with the `CITY_ARGON2_ENGINE` environment variable
 * (`auto`, `node-rs`, `node-crypto`). Both give identical hashes; only the speed differs.
 */
import { ARGON2_ENGINE, type Argon2EngineName } from './lib/_argon2-engine.js';

/**
 * Names the Argon2 engine in use: `'node-rs'` (fast path) or `'node:crypto'` (fallback).
 *
 * @throws Nothing; an invalid `CITY_ARGON2_ENGINE` already failed when the package was loaded
 *   (PasswordError `INVALID_ARGUMENT`).
 * @example
 * ```ts
 * log.info({ argon2Engine: argon2Engine() }, 'password hashing ready');
 * ```
 */
export function argon2Engine(): Argon2EngineName {
  return ARGON2_ENGINE.name;
}
