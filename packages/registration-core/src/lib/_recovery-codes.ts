/**
 * One-time recovery codes (NIST SP 800-63B-4 §4.2 "saved recovery codes"): a set of
 * {@link RECOVERY_CODE_COUNT} codes, each 80 random bits written as 16 Crockford base32
 * characters in four groups (`7K3M-Q9TB-X2HD-R8WN`). Typed back, a code is read forgivingly —
 * case, spaces and hyphens ignored, `O` as `0`, `I`/`L` as `1` — and then matched exactly.
 *
 * Stored as HMAC-SHA-256 under a key derived from the key vault (the field cipher's blind-index
 * key, purpose `recovery-code`), over the user's uuid and the code. A slow password hash is not
 * needed and would hurt: each code carries 80 bits of entropy, so even a leaked hash cannot be
 * searched offline (and without the vault key it cannot be searched at all), while a keyed hash
 * can be looked up directly — an Argon2id hash per code would cost one verification per stored
 * code on every attempt, a lever for denial of service. Binding the uuid means one user's hash
 * never matches another user's code.
 */
import type { RecoveryCodeSetRecord } from '@city/ports';
import type { ServiceContext } from './_service-context.js';

/** Codes in a set. */
export const RECOVERY_CODE_COUNT = 10;
/** Random bytes per code (80 bits). */
const CODE_BYTES = 10;
/** Crockford base32: no I, L, O, U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** A new set: the codes to show once, and the record to store (hashes only). */
export interface NewRecoveryCodes {
  readonly codes: readonly string[];
  readonly record: RecoveryCodeSetRecord;
}

/** Generates a fresh set of recovery codes for `userUuid`. */
export function generateRecoveryCodes(ctx: ServiceContext, userUuid: string): NewRecoveryCodes {
  const canonical = new Set<string>();
  while (canonical.size < RECOVERY_CODE_COUNT) canonical.add(encode(ctx.random.bytes(CODE_BYTES)));
  const codes = [...canonical];
  return {
    codes: codes.map(group),
    record: {
      userUuid,
      setId: ctx.random.uuid(),
      codeHashes: codes.map((code) => hashCanonical(ctx, userUuid, code)),
      usedCodeHashes: [],
      createdAt: ctx.clock.now(),
    },
  };
}

/**
 * The canonical form of a typed code (upper case, no separators, Crockford substitutions), or
 * undefined when it cannot be a recovery code.
 */
export function canonicalRecoveryCode(typed: string): string | undefined {
  const code = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return CANONICAL.test(code) ? code : undefined;
}

/** The stored hash of a canonical code of `userUuid`. */
export function hashCanonical(ctx: ServiceContext, userUuid: string, canonical: string): string {
  return ctx.cipher.blindIndex('recovery-code', `${userUuid}:${canonical}`);
}

/** 80 bits → 16 base32 characters, most significant first. */
function encode(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 15; i >= 0; i--) out += ALPHABET[Number((value >> BigInt(i * 5)) & 31n)];
  return out;
}

function group(code: string): string {
  return code.match(/.{4}/g)?.join('-') ?? code;
}
