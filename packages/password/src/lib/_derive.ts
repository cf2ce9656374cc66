/**
 * The key derivations behind each accepted stored form.
 *
 * Argon2 v1.3 (RFC 9106) runs natively on the libuv pool, off the event loop, in the engine chosen by
 * `_argon2-engine.ts` (@node-rs/argon2, else node:crypto); scrypt (RFC 7914) runs in node:crypto the
 * same way. Version 0x10 hashes (older libraries) are computed by @noble/hashes in JavaScript,
 * yielding to the event loop as it goes; their costs are capped tighter for that reason.
 */
import { createHash, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { argon2dAsync, argon2iAsync, argon2idAsync } from '@noble/hashes/argon2.js';
import { ARGON2_ENGINE, type Argon2v13Input, deriveArgon2NodeCrypto } from './_argon2-engine.js';
import type { StoredScrypt } from './_parse-stored-hash.js';

const scryptNative = promisify(scrypt) as (
  password: Uint8Array,
  salt: Uint8Array,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** An engine's input plus what only some stored hashes carry: the older version 0x10, associated data. */
export interface Argon2Input extends Argon2v13Input {
  readonly version: 0x10 | 0x13;
  readonly associatedData?: Uint8Array | undefined;
}

const NOBLE = { argon2id: argon2idAsync, argon2i: argon2iAsync, argon2d: argon2dAsync } as const;

export async function deriveArgon2(input: Argon2Input): Promise<Uint8Array> {
  if (input.version === 0x13) {
    // @node-rs/argon2 takes no associated data, so the rare stored hash with a PHC `data=` field is
    // computed by node:crypto whichever engine is primary.
    if (input.associatedData !== undefined) return deriveArgon2NodeCrypto(input);
    return ARGON2_ENGINE.derive(input);
  }
  return NOBLE[input.algorithm](input.message, input.nonce, {
    version: input.version,
    m: input.memory,
    t: input.passes,
    p: input.parallelism,
    dkLen: input.tagLength,
    ...(input.secret === undefined ? {} : { key: input.secret }),
    ...(input.associatedData === undefined ? {} : { personalization: input.associatedData }),
  });
}

export async function deriveScrypt(message: Uint8Array, stored: StoredScrypt): Promise<Uint8Array> {
  const N = 2 ** stored.ln;
  // maxmem must cover 128 * N * r (plus node's bookkeeping); the parser already capped the product.
  const maxmem = 128 * N * stored.r + 1024 * 1024;
  return scryptNative(message, stored.salt, stored.hash.length, { N, r: stored.r, p: stored.p, maxmem });
}

export function deriveLegacySha256(message: Uint8Array, salt: Uint8Array): Buffer {
  return createHash('sha256').update(salt).update(message).digest();
}
