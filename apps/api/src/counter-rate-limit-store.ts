/**
 * A store for @fastify/rate-limit (its custom-store interface: `incr(key, cb, timeWindow, max)`
 * and `child(routeOptions)`) over the ports' {@link CounterStore}, so every API instance in front
 * of the same database counts against the same fixed windows.
 */
import type { CounterStore } from '@city/ports';

/** What @fastify/rate-limit expects from a store instance. */
export interface RateLimitStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
  child(routeOptions: RateLimitChildOptions): RateLimitStore;
}

/** The route a child store counts for: its method(s) and URL pattern. */
export interface RateLimitRoute {
  readonly method?: string | readonly string[] | undefined;
  readonly url?: string | undefined;
}

/**
 * What @fastify/rate-limit passes to `child`: at run time the route's merged limit options with
 * the route under `routeInfo` (version 11 never sets `path`); its type declarations describe the
 * route options themselves, so a top-level `method`/`url` is read too.
 */
export interface RateLimitChildOptions extends RateLimitRoute {
  readonly routeInfo?: RateLimitRoute | undefined;
  readonly path?: string | undefined;
  readonly timeWindow?: unknown;
}

/** A store class, as @fastify/rate-limit's `store` option takes it (it calls `new Store(options)`). */
export type RateLimitStoreClass = new (options: unknown) => RateLimitStore;

/**
 * Builds a @fastify/rate-limit store class counting in `counters` under `namespace`.
 * Per-route children count under their own route key (`<namespace>:route:<METHOD> <url>:<key>`),
 * so each limited route has its own budget per address and none eats the global one.
 *
 * @throws never (store failures are passed to the callback; the plugin is set to skip on error)
 * @example
 * ```ts
 * await app.register(rateLimit, { store: counterRateLimitStore(stores.counters), skipOnError: true });
 * ```
 */
export function counterRateLimitStore(
  counters: CounterStore,
  options: { namespace?: string; now?: () => number } = {},
): RateLimitStoreClass {
  const now = options.now ?? Date.now;
  const namespace = options.namespace ?? 'rate';

  class CounterBackedStore implements RateLimitStore {
    readonly #prefix: string;
    constructor(_options: unknown, prefix = `${namespace}:global`) {
      this.#prefix = prefix;
    }
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const at = now();
      counters.increment(`${this.#prefix}:${key}`, at, timeWindow).then(
        (state) =>
          callback(null, { current: state.count, ttl: Math.max(0, state.windowStart + timeWindow - at) }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }
    child(routeOptions: RateLimitChildOptions): RateLimitStore {
      return new CounterBackedStore(undefined, `${namespace}:route:${routeKey(routeOptions)}`);
    }
  }
  return CounterBackedStore;
}

/** `GET /me`-style name of the route a child store counts for (methods sorted when several). */
function routeKey(options: RateLimitChildOptions): string {
  const route = options.routeInfo?.url === undefined ? options : options.routeInfo;
  const url = route.url;
  if (url === undefined || url === '') {
    // A limiter made by `fastify.rateLimit(options)` outside any route: no route to name.
    throw new TypeError('"routeInfo.url" expected for a per-route rate-limit store');
  }
  const method = route.method;
  const methods = method === undefined ? [] : typeof method === 'string' ? [method] : [...method].sort();
  return `${methods.join(',')} ${url}`;
}
