/**
 * `GET /metrics` on the API's own port (Prometheus text exposition format), registered when
 * `CITY_METRICS=on`; with a port of its own the caller serves it (`listenMetrics`). In worker mode
 * the worker's `render` asks the primary for the whole cluster's sum, and a worker that did not
 * answer in time makes it fail: the error handler answers 503 `METRICS_UNAVAILABLE`.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../api-metrics.js';

/** Options of {@link registerMetricsRoutes}. */
export interface MetricsRoutesOptions {
  readonly metrics: ApiMetrics;
}

/**
 * Registers `GET /metrics`.
 *
 * @throws never (a failing render is answered by the error handler, 503 `METRICS_UNAVAILABLE` in a cluster)
 * @example
 * ```ts
 * await app.register(registerMetricsRoutes, { metrics });
 * ```
 */
export async function registerMetricsRoutes(
  app: FastifyInstance,
  options: MetricsRoutesOptions,
): Promise<void> {
  const { metrics } = options;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Prometheus metrics (text exposition format; when CITY_METRICS=on)',
        response: {
          200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    },
  );
}
