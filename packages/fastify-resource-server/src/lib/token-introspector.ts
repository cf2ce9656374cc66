/**
 * RFC 7662 token introspection as a client: `POST` the token as a form to the issuer's
 * introspection endpoint, authenticated with the service's client credentials (HTTP Basic,
 * RFC 6749 §2.3.1), and refuse the token unless the answer is `active: true` for the same subject.
 * Answers are cached per token id (`jti`, signed, so it cannot be chosen by an attacker) for
 * `cacheSeconds`, never past the token's own expiry: a revocation takes effect within that bound.
 * Internal.
 */
import { ResourceServerError } from '../resource-server-error.js';

/** Introspection settings of the plugin. */
export interface IntrospectionOptions {
  /** The service's client id, registered on the issuer (`city admin service add`). */
  readonly clientId: string;
  /** The service's client secret. */
  readonly clientSecret: string;
  /** The endpoint; default the metadata's `introspection_endpoint`. */
  readonly endpoint?: string | undefined;
  /** How long an answer is reused, in seconds; default 5, 0 asks on every request. */
  readonly cacheSeconds?: number | undefined;
  /** `all` (default): every guarded route introspects unless it says `introspect: false`; `marked`: only routes with `introspect: true`. */
  readonly routes?: 'all' | 'marked' | undefined;
  /** Time allowed for one introspection call, in milliseconds; default 3000. */
  readonly timeoutMs?: number | undefined;
  /** Entries kept in the cache; default 10,000. */
  readonly maxCacheEntries?: number | undefined;
  /** Clock for the cache, in milliseconds; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

interface CachedAnswer {
  readonly active: boolean;
  readonly until: number;
}

function invalid(message: string): ResourceServerError {
  return new ResourceServerError('INVALID_ARGUMENT', message);
}

/** Percent-encoding of RFC 6749 Appendix B for the Basic credentials. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

export class TokenIntrospector {
  readonly #authorization: string;
  readonly #endpoint: () => Promise<string>;
  readonly #cacheMs: number;
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedAnswer>();
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(options: IntrospectionOptions, discoveredEndpoint: () => Promise<string>) {
    if (typeof options !== 'object' || options === null)
      throw invalid('"options.introspection" expected an object');
    for (const name of ['clientId', 'clientSecret'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '') {
        throw invalid(`"options.introspection.${name}" expected a non-empty string`);
      }
    }
    const number = (value: unknown, name: string, fallback: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw invalid(`"options.introspection.${name}" expected a non-negative number`);
      }
      return value;
    };
    this.#cacheMs = number(options.cacheSeconds, 'cacheSeconds', 5) * 1000;
    this.#timeoutMs = number(options.timeoutMs, 'timeoutMs', 3000);
    this.#maxEntries = number(options.maxCacheEntries, 'maxCacheEntries', 10_000);
    if (options.routes !== undefined && options.routes !== 'all' && options.routes !== 'marked') {
      throw invalid('"options.introspection.routes" expected "all" or "marked"');
    }
    if (options.endpoint !== undefined) {
      let url: URL;
      try {
        url = new URL(options.endpoint);
      } catch {
        throw invalid('"options.introspection.endpoint" is not a URL');
      }
      const endpoint = url.href;
      this.#endpoint = async () => endpoint;
    } else {
      this.#endpoint = discoveredEndpoint;
    }
    this.#now = options.now ?? Date.now;
    this.#authorization = `Basic ${Buffer.from(
      `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`,
    ).toString('base64')}`;
  }

  /**
   * Resolves when the issuer reports the token active for `sub`.
   * @throws {ResourceServerError} `TOKEN_REVOKED` when inactive; `AUTH_SERVER_UNAVAILABLE` when the call fails.
   */
  async assertActive(token: string, jti: string, sub: string, exp: number): Promise<void> {
    const now = this.#now();
    const cached = this.#cache.get(jti);
    let active: boolean;
    if (cached !== undefined && now < cached.until) {
      active = cached.active;
    } else {
      let pending = this.#inFlight.get(jti);
      if (pending === undefined) {
        pending = this.#ask(token, sub).finally(() => this.#inFlight.delete(jti));
        this.#inFlight.set(jti, pending);
      }
      active = await pending;
      if (this.#cacheMs > 0) {
        // Oldest entries go first when the cache is full (Map keeps insertion order).
        this.#cache.delete(jti);
        while (this.#cache.size >= this.#maxEntries && this.#cache.size > 0) {
          this.#cache.delete(this.#cache.keys().next().value as string);
        }
        if (this.#maxEntries > 0) {
          this.#cache.set(jti, { active, until: Math.min(now + this.#cacheMs, exp * 1000) });
        }
      }
    }
    if (!active) throw new ResourceServerError('TOKEN_REVOKED', 'the issuer reports the token inactive');
  }

  async #ask(token: string, sub: string): Promise<boolean> {
    let body: unknown;
    try {
      const response = await fetch(await this.#endpoint(), {
        method: 'POST',
        headers: {
          authorization: this.#authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new ResourceServerError(
          'AUTH_SERVER_UNAVAILABLE',
          `introspection answered HTTP ${response.status}${response.status === 401 ? ' (check the client credentials)' : ''}`,
        );
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof ResourceServerError) throw error;
      throw new ResourceServerError('AUTH_SERVER_UNAVAILABLE', 'introspection failed', { cause: error });
    }
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof (body as { active?: unknown }).active !== 'boolean'
    ) {
      throw new ResourceServerError(
        'AUTH_SERVER_UNAVAILABLE',
        'introspection answer has no boolean "active"',
      );
    }
    const answer = body as { active: boolean; sub?: unknown };
    // An active answer about another subject is not an answer about this token.
    return answer.active && (answer.sub === undefined || answer.sub === sub);
  }
}
