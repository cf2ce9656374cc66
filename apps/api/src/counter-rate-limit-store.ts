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
  child(routeOptions: { path?: string; prefix?: string; timeWindow?: unknown }): RateLimitStore;
}

/** A store class, as @fastify/rate-limit's `store` option takes it (it calls `new Store(options)`). */
export type RateLimitStoreClass = new (options: unknown) => RateLimitStore;

/**
 * Builds a @fastify/rate-limit store class counting in `counters` under `namespace`.
 * Per-route children count under their own route key, so a strict route limit does not eat
 * the global budget.
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
    child(routeOptions: { path?: string; prefix?: string }): RateLimitStore {
      return new CounterBackedStore(undefined, `${namespace}:route:${routeOptions.path ?? ''}`);
    }
  }
  return CounterBackedStore;
}
