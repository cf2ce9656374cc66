/**
 * The engine that computes Argon2 version 0x13 (RFC 9106) for new hashes and for verification.
 *
 * Primary: `@node-rs/argon2` (the Rust `argon2` crate as a prebuilt N-API binary; its async calls run
 * on the libuv pool, off the event loop). It measured 3× faster than OpenSSL's Argon2 behind
 * `node:crypto.argon2` on our machines (≈ 8.6 ms vs 25.8 ms per hash at m=19456, t=2, p=1; see
 * bench/README.md), and login/registration throughput is bound by this cost.
 * Fallback: `node:crypto.argon2`, used automatically when the native binding cannot be loaded (no
 * prebuilt binary for the platform, a broken install). Both produce the same bytes for the same
 * input; only the raw tag is taken from either, so the PHC string stays ours.
 *
 * The engine is chosen once, when this module is first evaluated. `CITY_ARGON2_ENGINE` overrides the
 * choice (read once, at that moment): unset, empty or `auto` → node-rs if it loads, else node:crypto;
 * `node-rs` → node-rs or an error (to assert the fast path in a deployment); `node-crypto` → node:crypto
 * without trying the binding (to exercise the fallback in tests).
 */
import { argon2 } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { hashRaw } from '@node-rs/argon2';
import { PasswordError } from '../password-error.js';
import type { Argon2Algorithm } from './_parse-stored-hash.js';

export type Argon2EngineName = 'node-rs' | 'node:crypto';

/** One Argon2 v=0x13 computation. Associated data is deliberately absent: see `deriveArgon2NodeCrypto`. */
export interface Argon2v13Input {
  readonly algorithm: Argon2Algorithm;
  readonly message: Uint8Array;
  readonly nonce: Uint8Array;
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
  readonly tagLength: number;
  readonly secret?: Uint8Array | undefined;
}

export interface Argon2Engine {
  readonly name: Argon2EngineName;
  derive(input: Argon2v13Input): Promise<Uint8Array>;
}

/** The part of `@node-rs/argon2` we use. */
export interface NodeRsArgon2Binding {
  readonly hashRaw: typeof hashRaw;
}

export const ARGON2_ENGINE_ENV = 'CITY_ARGON2_ENGINE';

const argon2Native = promisify(argon2);

/** node:crypto also takes associated data (PHC `data=`), which @node-rs/argon2 2.2.1 does not expose. */
export function deriveArgon2NodeCrypto(
  input: Argon2v13Input & { readonly associatedData?: Uint8Array | undefined },
): Promise<Uint8Array> {
  return argon2Native(input.algorithm, {
    message: input.message,
    nonce: input.nonce,
    memory: input.memory,
    passes: input.passes,
    parallelism: input.parallelism,
    tagLength: input.tagLength,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
    ...(input.associatedData === undefined ? {} : { associatedData: input.associatedData }),
  });
}

export const NODE_CRYPTO_ARGON2_ENGINE: Argon2Engine = Object.freeze({
  name: 'node:crypto',
  derive: deriveArgon2NodeCrypto,
});

// The values of @node-rs/argon2's `Algorithm` and `Version`: they are ambient const enums, which
// verbatimModuleSyntax cannot import, and the binding does not export them at run time either.
const NODE_RS_ALGORITHM = { argon2d: 0, argon2i: 1, argon2id: 2 } as const;
const NODE_RS_VERSION_0X13 = 1;

export function nodeRsArgon2Engine(binding: NodeRsArgon2Binding): Argon2Engine {
  return Object.freeze({
    name: 'node-rs',
    derive: (input: Argon2v13Input): Promise<Uint8Array> =>
      // The raw API with an explicit salt: the binding only computes the tag; salt generation and the
      // PHC encoding stay ours.
      binding.hashRaw(input.message, {
        algorithm: NODE_RS_ALGORITHM[input.algorithm],
        version: NODE_RS_VERSION_0X13,
        salt: input.nonce,
        memoryCost: input.memory,
        timeCost: input.passes,
        parallelism: input.parallelism,
        outputLen: input.tagLength,
        ...(input.secret === undefined ? {} : { secret: input.secret }),
      }),
  } satisfies Argon2Engine);
}

function engineSettingError(message: string, cause?: unknown): PasswordError {
  return new PasswordError('INVALID_ARGUMENT', message, cause === undefined ? undefined : { cause });
}

/**
 * Picks the engine for a `CITY_ARGON2_ENGINE` value; `loadNodeRs` is only called when the setting
 * allows node-rs. Exposed to the tests so that a missing binding can be simulated.
 */
export function selectArgon2Engine(
  setting: string | undefined,
  loadNodeRs: () => NodeRsArgon2Binding,
): Argon2Engine {
  const mode = setting ?? '';
  if (mode === 'node-crypto') return NODE_CRYPTO_ARGON2_ENGINE;
  if (mode !== '' && mode !== 'auto' && mode !== 'node-rs') {
    throw engineSettingError(
      `"${ARGON2_ENGINE_ENV}" must be "auto", "node-rs" or "node-crypto", got ${JSON.stringify(mode.slice(0, 32))}`,
    );
  }
  let binding: NodeRsArgon2Binding;
  try {
    binding = loadNodeRs();
    if (typeof binding?.hashRaw !== 'function')
      throw new TypeError('@node-rs/argon2 has no hashRaw function');
  } catch (err) {
    if (mode === 'node-rs') {
      throw engineSettingError(
        `"${ARGON2_ENGINE_ENV}" is "node-rs" but @node-rs/argon2 could not be loaded`,
        err,
      );
    }
    return NODE_CRYPTO_ARGON2_ENGINE;
  }
  return nodeRsArgon2Engine(binding);
}

function loadNodeRsBinding(): NodeRsArgon2Binding {
  // A synchronous require (the package is CommonJS) keeps the choice made at module evaluation
  // without a top-level await, so this package stays loadable through require(esm).
  return createRequire(import.meta.url)('@node-rs/argon2') as NodeRsArgon2Binding;
}

/** The engine for this process. */
export const ARGON2_ENGINE: Argon2Engine = selectArgon2Engine(
  process.env[ARGON2_ENGINE_ENV],
  loadNodeRsBinding,
);
