/**
 * Parses a stored password hash into one of the accepted forms.
 *
 * - Argon2 PHC (the reference implementation's encoding, RFC 9106 with the PHC string format):
 *   `$argon2{id,i,d}[$v=<16|19>]$m=<KiB>,t=<passes>,p=<lanes>[,keyid=<B64>][,data=<B64>]$<salt B64>$<hash B64>`;
 *   a missing `v=` means version 16, as in the reference implementation.
 * - scrypt PHC (passlib's and @phc/scrypt's form): `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt B64>$<hash B64>`.
 * - The legacy form: `sha256$<salt hex>$<SHA-256(salt ‖ UTF-8 password) hex>`.
 *
 * Syntax errors are `PASSWORD_HASH_MALFORMED`; well-formed strings naming an algorithm we do not
 * verify, or costs beyond the limits in `_limits.ts`, are `PASSWORD_HASH_UNSUPPORTED`.
 */
import { PasswordError } from '../password-error.js';
import { decodeB64 } from './_b64.js';
import {
  MAX_ARGON2_MEMORY_KIB,
  MAX_ARGON2_PARALLELISM,
  MAX_ARGON2_PASSES,
  MAX_ARGON2_V10_MEMORY_KIB,
  MAX_ARGON2_V10_PASSES,
  MAX_LEGACY_SALT_BYTES,
  MAX_SALT_BYTES,
  MAX_SCRYPT_LN,
  MAX_SCRYPT_MEMORY_BYTES,
  MAX_SCRYPT_P,
  MAX_SCRYPT_R,
  MAX_TAG_BYTES,
  MIN_SALT_BYTES,
  MIN_STORED_TAG_BYTES,
} from './_limits.js';

export type Argon2Algorithm = 'argon2id' | 'argon2i' | 'argon2d';

export interface StoredArgon2 {
  readonly kind: 'argon2';
  readonly algorithm: Argon2Algorithm;
  readonly version: 0x10 | 0x13;
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
  readonly associatedData: Buffer | undefined;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export interface StoredScrypt {
  readonly kind: 'scrypt';
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export interface StoredLegacySha256 {
  readonly kind: 'legacy-sha256';
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export type StoredHash = StoredArgon2 | StoredScrypt | StoredLegacySha256;

/** Longest stored string we look at; anything longer is not a hash we could have written. */
const MAX_STORED_LENGTH = 4096;
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function malformed(): PasswordError {
  return new PasswordError('PASSWORD_HASH_MALFORMED', 'stored password hash is malformed');
}

function unsupported(): PasswordError {
  return new PasswordError(
    'PASSWORD_HASH_UNSUPPORTED',
    'stored password hash uses an unsupported algorithm or parameters',
  );
}

function parseDecimal(text: string): number {
  if (!DECIMAL.test(text)) throw malformed();
  const value = Number(text);
  if (value > 0xffffffff) throw malformed();
  return value;
}

/** `k=v,k=v` with each key at most once and only from `allowed`. */
function parseParams(text: string, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw malformed();
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!allowed.includes(key) || params.has(key) || value === '') throw malformed();
    params.set(key, value);
  }
  return params;
}

function requireB64(text: string | undefined): Buffer {
  if (text === undefined) throw malformed();
  const bytes = decodeB64(text);
  if (bytes === undefined) throw malformed();
  return bytes;
}

function checkSaltAndTag(salt: Buffer, hash: Buffer): void {
  if (salt.length < MIN_SALT_BYTES || hash.length < MIN_STORED_TAG_BYTES) throw malformed();
  if (salt.length > MAX_SALT_BYTES || hash.length > MAX_TAG_BYTES) throw unsupported();
}

function parseArgon2(algorithm: Argon2Algorithm, fields: readonly string[]): StoredArgon2 {
  let rest = fields;
  let version: 0x10 | 0x13 = 0x10;
  if (rest[0]?.startsWith('v=')) {
    const v = parseDecimal(rest[0].slice(2));
    if (v !== 0x10 && v !== 0x13) throw unsupported();
    version = v;
    rest = rest.slice(1);
  }
  if (rest.length !== 3) throw malformed();
  const [paramText, saltText, hashText] = rest as [string, string, string];
  const params = parseParams(paramText, ['m', 't', 'p', 'keyid', 'data']);
  const m = params.get('m');
  const t = params.get('t');
  const p = params.get('p');
  if (m === undefined || t === undefined || p === undefined) throw malformed();
  const memory = parseDecimal(m);
  const passes = parseDecimal(t);
  const parallelism = parseDecimal(p);
  // RFC 9106 section 3.1: p in 1..2^24-1, t >= 1, m >= 8p.
  if (parallelism < 1 || parallelism > 0xffffff || passes < 1 || memory < 8 * parallelism) throw malformed();
  const keyid = params.get('keyid');
  const data = params.get('data');
  if (keyid !== undefined) requireB64(keyid);
  const associatedData = data === undefined ? undefined : requireB64(data);
  const salt = requireB64(saltText);
  const hash = requireB64(hashText);
  checkSaltAndTag(salt, hash);
  // A keyid names a secret (pepper) held elsewhere; without it the hash cannot be checked.
  if (keyid !== undefined) throw unsupported();
  if (memory > MAX_ARGON2_MEMORY_KIB || passes > MAX_ARGON2_PASSES || parallelism > MAX_ARGON2_PARALLELISM) {
    throw unsupported();
  }
  if (version === 0x10 && (memory > MAX_ARGON2_V10_MEMORY_KIB || passes > MAX_ARGON2_V10_PASSES))
    throw unsupported();
  return { kind: 'argon2', algorithm, version, memory, passes, parallelism, associatedData, salt, hash };
}

function parseScrypt(fields: readonly string[]): StoredScrypt {
  if (fields.length !== 3) throw malformed();
  const [paramText, saltText, hashText] = fields as [string, string, string];
  const params = parseParams(paramText, ['ln', 'r', 'p']);
  const lnText = params.get('ln');
  const rText = params.get('r');
  const pText = params.get('p');
  if (lnText === undefined || rText === undefined || pText === undefined) throw malformed();
  const ln = parseDecimal(lnText);
  const r = parseDecimal(rText);
  const p = parseDecimal(pText);
  if (ln < 1 || r < 1 || p < 1) throw malformed();
  const salt = requireB64(saltText);
  const hash = requireB64(hashText);
  checkSaltAndTag(salt, hash);
  if (ln > MAX_SCRYPT_LN || r > MAX_SCRYPT_R || p > MAX_SCRYPT_P) throw unsupported();
  if (128 * 2 ** ln * r > MAX_SCRYPT_MEMORY_BYTES) throw unsupported();
  return { kind: 'scrypt', ln, r, p, salt, hash };
}

function parseLegacy(fields: readonly string[]): StoredLegacySha256 {
  if (fields.length !== 2) throw malformed();
  const [saltHex, hashHex] = fields as [string, string];
  if (!HEX.test(saltHex) || saltHex.length > 2 * MAX_LEGACY_SALT_BYTES) throw malformed();
  if (hashHex.length !== 64 || !HEX.test(hashHex)) throw malformed();
  return { kind: 'legacy-sha256', salt: Buffer.from(saltHex, 'hex'), hash: Buffer.from(hashHex, 'hex') };
}

/** Parses `stored`; throws PasswordError (`PASSWORD_HASH_MALFORMED` / `PASSWORD_HASH_UNSUPPORTED`). */
export function parseStoredHash(stored: string): StoredHash {
  if (stored.length === 0 || stored.length > MAX_STORED_LENGTH) throw malformed();
  const fields = stored.split('$');
  if (fields[0] === 'sha256') return parseLegacy(fields.slice(1));
  if (fields[0] !== '' || fields.length < 2) throw malformed();
  const id = fields[1] ?? '';
  const rest = fields.slice(2);
  switch (id) {
    case 'argon2id':
    case 'argon2i':
    case 'argon2d':
      return parseArgon2(id, rest);
    case 'scrypt':
      return parseScrypt(rest);
    default:
      // A PHC identifier is [a-z0-9-]{1,32}; anything else is not a PHC string at all.
      if (!/^[a-z0-9-]{1,32}$/.test(id)) throw malformed();
      throw unsupported();
  }
}
