/**
 * Rate limits (@fastify/rate-limit) per client address: a global budget when
 * `CITY_RATE_LIMIT` > 0, and the per-route budgets the credential routes set. Counted in the
 * ports' {@link CounterStore} when given (shared by every instance), in memory otherwise.
 * Wrapped with fastify-plugin so the limiter's hooks cover the route groups registered after it.
 */
import type { CounterStore } from '@city/ports';
import fastifyRateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ApiError } from '../api-error.js';
import { counterRateLimitStore } from '../counter-rate-limit-store.js';

/** Options of {@link rateLimits}. */
export interface RateLimitsOptions {
  /** Requests per minute per address over all routes; 0 turns the global limit off. */
  readonly perMinute: number;
  readonly counters?: CounterStore | undefined;
}

async function rateLimitsPlugin(app: FastifyInstance, options: RateLimitsOptions): Promise<void> {
  const rateLimitOptions: RateLimitPluginOptions = {
    global: options.perMinute > 0,
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    // A store outage must not take the API down with it: skip counting, the core's own
    // store calls will answer 503.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new ApiError('RATE_LIMITED', 'rate limit exceeded', {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
    ...(options.counters === undefined ? {} : { store: counterRateLimitStore(options.counters) }),
  };
  await app.register(fastifyRateLimit, rateLimitOptions);
}

/**
 * The rate limiter; register before the route groups, only when some limit is on.
 *
 * @throws never at registration
 * @example
 * ```ts
 * await app.register(rateLimits, { perMinute: 600, counters });
 * ```
 */
export const rateLimits = fastifyPlugin(rateLimitsPlugin, { name: 'city-rate-limits', fastify: '5.x' });
