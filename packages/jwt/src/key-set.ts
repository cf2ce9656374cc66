/**
 * A set of signing keys addressed by `kid` (RFC 7515 §4.1.4) with one active signer, rotation
 * and a public JWK Set (RFC 7517 §5). Rotation keeps old keys for verification until they are
 * retired, so tokens issued before a rotation stay valid until they expire.
 */
import { importSigningKeySync } from './import-signing-key.js';
import type { Jwks, SerializedKey } from './jwk.js';
import { JwtError } from './jwt-error.js';
import { isOwnSigningKey } from './lib/key-material.js';
import type { SigningKey } from './signing-key.js';

/** Persisted form of a {@link KeySet} (contains private keys: store it encrypted). */
export interface SerializedKeySet {
  version: 1;
  activeKid: string | undefined;
  keys: SerializedKey[];
}

function assertOwnKey(key: unknown, name: string): asserts key is SigningKey {
  if (!isOwnSigningKey(key)) {
    throw new JwtError('INVALID_ARGUMENT', `"${name}" must come from generateSigningKey or importSigningKey`);
  }
}

/**
 * Keys by `kid`, one of them active for signing.
 *
 * @example
 * ```ts
 * const keys = KeySet.create([await generateSigningKey('EdDSA')]);
 * keys.rotate(await generateSigningKey('EdDSA')); // new tokens use the new key, old ones still verify
 * keys.retire(oldKid);                           // after the longest token lifetime has passed
 * ```
 */
export class KeySet {
  readonly #keys = new Map<string, SigningKey>();
  #activeKid: string | undefined;

  private constructor() {}

  /**
   * Builds a key set. The active key is `activeKid`, else the first key that can sign; a set of
   * public keys only is valid and can verify but not sign.
   *
   * @throws {JwtError} `INVALID_ARGUMENT` for an empty list, foreign objects, duplicate kids or an
   *   unknown `activeKid`; `KEY_INVALID` when `activeKid` names a key that cannot sign.
   * @example `KeySet.create([edKey, oldRsaKey], edKey.kid)`
   */
  static create(keys: readonly SigningKey[], activeKid?: string): KeySet {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new JwtError('INVALID_ARGUMENT', '"keys" expected a non-empty array of signing keys');
    }
    const set = new KeySet();
    for (const [i, key] of keys.entries()) set.#insert(key, `keys[${i}]`);
    if (activeKid !== undefined) set.#activate(activeKid);
    else set.#activeKid = keys.find((k) => k.canSign)?.kid;
    return set;
  }

  /**
   * Restores a set saved with {@link KeySet.toJSON} (object or JSON text).
   *
   * @throws {JwtError} `INVALID_ARGUMENT` when the shape is wrong; `KEY_INVALID` for a bad key inside.
   * @example `KeySet.fromJSON(JSON.parse(await readFile('jwt-keys.json', 'utf8')))`
   */
  static fromJSON(json: SerializedKeySet | string): KeySet {
    let value: unknown = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (cause) {
        throw new JwtError('INVALID_ARGUMENT', '"json" is not valid JSON', { cause });
      }
    }
    const data = value as Partial<SerializedKeySet> | null;
    if (typeof data !== 'object' || data === null || data.version !== 1 || !Array.isArray(data.keys)) {
      throw new JwtError('INVALID_ARGUMENT', '"json" expected { version: 1, activeKid, keys: [...] }');
    }
    const keys = data.keys.map((k) => importSigningKeySync(k));
    return KeySet.create(keys, data.activeKid ?? undefined);
  }

  /**
   * The key new tokens are signed with.
   * @throws {JwtError} `KEY_INVALID` when the set holds only verification keys.
   * @example `keys.active.kid`
   */
  get active(): SigningKey {
    const key = this.#activeKid === undefined ? undefined : this.#keys.get(this.#activeKid);
    if (key === undefined) throw new JwtError('KEY_INVALID', 'the key set has no signing key');
    return key;
  }

  /**
   * The key with this kid, or undefined (also for retired keys and for non-string input).
   * @throws never.
   * @example `keys.get(header.kid)`
   */
  get(kid: string): SigningKey | undefined {
    // A Map lookup: kid values such as "__proto__" or "constructor" can never reach an object prototype.
    return typeof kid === 'string' ? this.#keys.get(kid) : undefined;
  }

  /**
   * All keys, active first.
   * @throws never.
   * @example `keys.list().map((k) => k.kid)`
   */
  list(): SigningKey[] {
    const all = [...this.#keys.values()];
    return all.sort((a, b) => Number(b.kid === this.#activeKid) - Number(a.kid === this.#activeKid));
  }

  /**
   * Adds a key (verification only unless `activate`).
   * @throws {JwtError} `INVALID_ARGUMENT` for a foreign object or a duplicate kid; `KEY_INVALID` when
   *   activating a key that cannot sign.
   * @example `keys.add(await importSigningKey({ alg: 'EdDSA', publicKeyPem }))`
   */
  add(key: SigningKey, options: { activate?: boolean } = {}): void {
    if (options.activate === true && isOwnSigningKey(key) && !key.canSign) {
      throw new JwtError('KEY_INVALID', `key "${key.kid}" cannot sign and cannot be activated`);
    }
    this.#insert(key, 'key');
    if (options.activate === true) this.#activeKid = key.kid;
  }

  /**
   * Adds `newKey` and makes it the signer; previous keys keep verifying until retired.
   * @throws {JwtError} as {@link KeySet.add} with `activate: true`.
   * @example `keys.rotate(await generateSigningKey('EdDSA'))`
   */
  rotate(newKey: SigningKey): void {
    this.add(newKey, { activate: true });
  }

  /**
   * Removes a key; tokens signed with it then fail with `TOKEN_KID_UNKNOWN`.
   * @throws {JwtError} `INVALID_ARGUMENT` for an unknown kid or the active key (rotate first).
   * @example `keys.retire(previousKid)`
   */
  retire(kid: string): void {
    if (!this.#keys.has(kid)) throw new JwtError('INVALID_ARGUMENT', `"kid" unknown: ${JSON.stringify(kid)}`);
    if (kid === this.#activeKid) {
      throw new JwtError('INVALID_ARGUMENT', 'cannot retire the active key; rotate to a new key first');
    }
    this.#keys.delete(kid);
  }

  /**
   * The public JWK Set for `/.well-known/jwks.json`: public members only, HS256 secrets omitted.
   * @throws never.
   * @example `reply.send(keys.toJWKS())`
   */
  toJWKS(): Jwks {
    const jwks: Jwks = { keys: [] };
    for (const key of this.list()) {
      const jwk = key.publicJwk();
      if (jwk !== undefined) jwks.keys.push(jwk);
    }
    return jwks;
  }

  /**
   * Private, JSON-safe form for persistence (encrypt it at rest).
   * @throws never.
   * @example `await writeFile('jwt-keys.json', JSON.stringify(keys.toJSON()), { mode: 0o600 })`
   */
  toJSON(): SerializedKeySet {
    return { version: 1, activeKid: this.#activeKid, keys: this.list().map((k) => k.exportPrivate()) };
  }

  #insert(key: SigningKey, name: string): void {
    assertOwnKey(key, name);
    if (this.#keys.has(key.kid))
      throw new JwtError('INVALID_ARGUMENT', `duplicate kid ${JSON.stringify(key.kid)}`);
    this.#keys.set(key.kid, key);
  }

  #activate(kid: string): void {
    const key = this.#keys.get(kid);
    if (key === undefined)
      throw new JwtError('INVALID_ARGUMENT', `"activeKid" unknown: ${JSON.stringify(kid)}`);
    if (!key.canSign) throw new JwtError('KEY_INVALID', `key "${kid}" cannot sign and cannot be active`);
    this.#activeKid = kid;
  }
}
