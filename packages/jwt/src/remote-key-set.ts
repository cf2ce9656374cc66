/**
 * A JWK Set (RFC 7517 §5) fetched from an issuer's `jwks_uri` (RFC 8414 §2), for services that
 * verify tokens they did not issue. The set is cached for the response's `Cache-Control: max-age`
 * (RFC 9111 §5.2.2.1; `no-store`/`no-cache` count as 0) or `cacheMaxAgeSeconds` without one; a
 * token whose `kid` is not in the cache triggers one re-fetch (rotation without an outage), but at
 * most once per `cooldownSeconds`, so tokens with invented `kid`s cannot make this service flood
 * the issuer. Concurrent lookups share one request; each request is bounded by `timeoutMs` and
 * `maxResponseBytes`.
 *
 * Every key stays bound to the one algorithm its JWK names (`alg` is required), HS256/`oct` keys
 * and private members are never taken from the network, and a JWK whose `alg` is outside the
 * allow-list is ignored — so a remote set cannot be used for algorithm confusion (RFC 8725 §2.1).
 */

import { importSigningKeySync } from './import-signing-key.js';
import type { Jwk } from './jwk.js';
import { isJwtAlgorithm, type JwtAlgorithm } from './jwt-algorithm.js';
import { JwtError } from './jwt-error.js';
import type { SigningKey } from './signing-key.js';

/** Asymmetric algorithms a remote key set accepts by default (HS256 can never be remote). */
const REMOTE_ALGORITHMS: readonly JwtAlgorithm[] = ['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'];
/** JWK members that carry private material; a JWK carrying any of them is ignored. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const MAX_CACHE_SECONDS = 24 * 3600;

/** Options of {@link RemoteKeySet.fromUrl}. */
export interface RemoteKeySetOptions {
  /** Freshness without a `Cache-Control: max-age` answer, in seconds; default 600. */
  cacheMaxAgeSeconds?: number;
  /** Minimum time between two fetches caused by unknown `kid`s or stale caches, in seconds; default 30. */
  cooldownSeconds?: number;
  /** Time allowed for one fetch (connect, headers and body), in milliseconds; default 5000. */
  timeoutMs?: number;
  /** Largest JWKS body accepted, in bytes; default 512 KiB. */
  maxResponseBytes?: number;
  /** Algorithms accepted from the set; default EdDSA, ES256, RS256 and ML-DSA-65 (never HS256). */
  algorithms?: readonly JwtAlgorithm[];
  /** Extra request headers (e.g. a User-Agent). */
  headers?: Readonly<Record<string, string>>;
  /** The clock, in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

function positive(value: unknown, name: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"${name}" expected a ${allowZero ? 'non-negative' : 'positive'} number`,
    );
  }
  return value;
}

/** `max-age` of a Cache-Control header in seconds; 0 for no-store/no-cache; undefined without one. */
function maxAgeOf(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  let maxAge: number | undefined;
  for (const directive of cacheControl.toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=', 2) as [string, string | undefined];
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name === 'max-age' && value !== undefined && /^"?\d+"?$/.test(value.trim())) {
      maxAge = Number(value.trim().replace(/"/g, ''));
    }
  }
  return maxAge === undefined ? undefined : Math.min(maxAge, MAX_CACHE_SECONDS);
}

/**
 * Verification keys from an issuer's JWKS URL, cached and refreshed on rotation. Pass it to
 * `verifyToken` in place of a {@link KeySet}.
 *
 * @example
 * ```ts
 * const keys = RemoteKeySet.fromUrl('https://auth.city.example/.well-known/jwks.json');
 * const { claims } = await verifyToken(keys, bearer, { typ: 'access', issuer, audience });
 * ```
 */
export class RemoteKeySet {
  readonly url: URL;
  readonly #maxAgeMs: number;
  readonly #cooldownMs: number;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #algorithms: readonly JwtAlgorithm[];
  readonly #headers: Record<string, string>;
  readonly #now: () => number;
  #keys = new Map<string, SigningKey>();
  /** When the cached set stops being fresh (ms); -Infinity before the first fetch. */
  #freshUntil = Number.NEGATIVE_INFINITY;
  /** When the last fetch started (ms), successful or not. */
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  #loaded = false;
  #inFlight: Promise<void> | undefined;

  private constructor(url: URL, options: RemoteKeySetOptions) {
    this.url = url;
    this.#maxAgeMs = positive(options.cacheMaxAgeSeconds, 'options.cacheMaxAgeSeconds', 600, true) * 1000;
    this.#cooldownMs = positive(options.cooldownSeconds, 'options.cooldownSeconds', 30, true) * 1000;
    this.#timeoutMs = positive(options.timeoutMs, 'options.timeoutMs', 5000);
    this.#maxBytes = positive(options.maxResponseBytes, 'options.maxResponseBytes', 512 * 1024);
    const algorithms = options.algorithms ?? REMOTE_ALGORITHMS;
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw new JwtError('INVALID_ARGUMENT', '"options.algorithms" expected a non-empty array');
    }
    for (const alg of algorithms) {
      if (!isJwtAlgorithm(alg) || alg === 'HS256') {
        throw new JwtError(
          'INVALID_ARGUMENT',
          `"options.algorithms" contains ${JSON.stringify(alg)}, not an asymmetric algorithm of this package`,
        );
      }
    }
    this.#algorithms = [...algorithms];
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null)) {
      throw new JwtError('INVALID_ARGUMENT', '"options.headers" expected an object');
    }
    this.#headers = { accept: 'application/jwk-set+json, application/json', ...options.headers };
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new JwtError('INVALID_ARGUMENT', '"options.now" expected a function');
    }
    this.#now = options.now ?? Date.now;
  }

  /**
   * A key set that fetches `url` on first use.
   *
   * @throws {JwtError} `INVALID_ARGUMENT` for a URL that is not http(s) or bad options.
   * @example `RemoteKeySet.fromUrl(new URL('/.well-known/jwks.json', issuer), { cooldownSeconds: 10 })`
   */
  static fromUrl(url: string | URL, options: RemoteKeySetOptions = {}): RemoteKeySet {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new JwtError('INVALID_ARGUMENT', '"url" is not a valid URL', { cause });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new JwtError('INVALID_ARGUMENT', `"url" expected http: or https:, got ${parsed.protocol}`);
    }
    if (typeof options !== 'object' || options === null) {
      throw new JwtError('INVALID_ARGUMENT', '"options" expected an object');
    }
    return new RemoteKeySet(parsed, options);
  }

  /**
   * The key for `kid`: from the cache while fresh, else after one (shared) fetch; an unknown kid
   * re-fetches unless the last fetch is younger than the cooldown.
   *
   * @throws {JwtError} `JWKS_NO_MATCHING_KEY` when no usable key has this kid, `JWKS_FETCH_FAILED`
   *   (network error, non-200 answer, oversized or invalid JSON), `JWKS_TIMEOUT`, `JWKS_INVALID`
   *   (not a JWK Set, duplicate kids).
   * @example `const key = await remote.getKey(header.kid)`
   */
  async getKey(kid: string): Promise<SigningKey> {
    const now = this.#now();
    if (!this.#loaded || (now >= this.#freshUntil && now - this.#lastFetchAt >= this.#cooldownMs)) {
      await this.reload();
    }
    let key = this.#keys.get(kid);
    if (key === undefined && this.#now() - this.#lastFetchAt >= this.#cooldownMs) {
      await this.reload();
      key = this.#keys.get(kid);
    }
    if (key === undefined) throw new JwtError('JWKS_NO_MATCHING_KEY', 'no key in the JWKS matches the token');
    return key;
  }

  /**
   * Fetches the set now (joining a fetch already running), ignoring cache and cooldown.
   *
   * @throws {JwtError} `JWKS_FETCH_FAILED`, `JWKS_TIMEOUT`, `JWKS_INVALID`; the previous keys stay.
   * @example `await remote.reload()` at start-up to fail fast when the issuer is unreachable
   */
  reload(): Promise<void> {
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * The kids currently cached (for diagnostics).
   * @throws never.
   * @example `remote.kids()`
   */
  kids(): string[] {
    return [...this.#keys.keys()];
  }

  async #fetch(): Promise<void> {
    this.#lastFetchAt = this.#now();
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let body: string;
    let cacheControl: string | null;
    try {
      const response = await fetch(this.url, { headers: this.#headers, redirect: 'error', signal });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new JwtError('JWKS_FETCH_FAILED', `JWKS answered HTTP ${response.status}`);
      }
      cacheControl = response.headers.get('cache-control');
      body = await readLimited(response, this.#maxBytes);
    } catch (error) {
      if (error instanceof JwtError) throw error;
      if (signal.aborted) {
        throw new JwtError('JWKS_TIMEOUT', `JWKS fetch took longer than ${this.#timeoutMs} ms`, {
          cause: error,
        });
      }
      throw new JwtError('JWKS_FETCH_FAILED', 'JWKS could not be fetched', { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (cause) {
      throw new JwtError('JWKS_INVALID', 'JWKS is not JSON', { cause });
    }
    this.#keys = this.#parse(json);
    this.#loaded = true;
    const maxAge = maxAgeOf(cacheControl);
    this.#freshUntil = this.#now() + (maxAge === undefined ? this.#maxAgeMs : maxAge * 1000);
  }

  #parse(json: unknown): Map<string, SigningKey> {
    const list = (json as { keys?: unknown } | null)?.keys;
    if (typeof json !== 'object' || json === null || !Array.isArray(list)) {
      throw new JwtError('JWKS_INVALID', 'JWKS is not an object with a "keys" array');
    }
    const keys = new Map<string, SigningKey>();
    const seen = new Set<string>();
    for (const jwk of list as unknown[]) {
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) continue;
      const { kid, alg } = jwk as Jwk;
      if (typeof kid !== 'string') continue;
      // Two keys under one kid make the choice ambiguous: refuse the set rather than guess.
      if (seen.has(kid))
        throw new JwtError('JWKS_INVALID', `JWKS has two keys with kid ${JSON.stringify(kid)}`);
      seen.add(kid);
      if (!isJwtAlgorithm(alg) || !this.#algorithms.includes(alg)) continue;
      if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) continue;
      try {
        keys.set(kid, importSigningKeySync({ alg, jwk: jwk as Jwk }));
      } catch {
        // A key this package cannot use (wrong kty for its alg, bad encoding, `use` not "sig") is
        // skipped like an unknown algorithm; tokens naming it then find no matching key.
      }
    }
    return keys;
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new JwtError('JWKS_FETCH_FAILED', `JWKS larger than ${maxBytes} bytes`);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new JwtError('JWKS_FETCH_FAILED', `JWKS larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
