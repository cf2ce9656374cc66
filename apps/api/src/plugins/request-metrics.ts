/**
 * Records every finished request (method, route pattern, status, duration, error code) in the
 * {@link ApiMetrics}. Wrapped with fastify-plugin: the onResponse hook must see every route and
 * the not-found answers.
 */
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ApiMetrics } from '../api-metrics.js';

/** Options of {@link requestMetrics}. */
export interface RequestMetricsOptions {
  readonly metrics: ApiMetrics;
}

async function requestMetricsPlugin(app: FastifyInstance, options: RequestMetricsOptions): Promise<void> {
  const { metrics } = options;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe({
      method: request.method,
      // The route pattern (bounded), never the raw URL; the not-found handler has none.
      route: request.is404 ? undefined : request.routeOptions.url,
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
      errorCode: request.errorCode,
    });
    done();
  });
}

/**
 * The per-request metrics hook.
 *
 * @throws never
 * @example
 * ```ts
 * await app.register(requestMetrics, { metrics });
 * ```
 */
export const requestMetrics = fastifyPlugin(requestMetricsPlugin, {
  name: 'city-request-metrics',
  fastify: '5.x',
});
