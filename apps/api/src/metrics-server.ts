/**
 * `/metrics` on a port of its own (`CITY_METRICS=<port>`), so the main port can face the public
 * while the metrics stay on an address only the monitoring network reaches. Answers `GET /metrics`
 * and nothing else. A single process serves its own registry; in worker mode the primary serves
 * the cluster's aggregate here and the workers do not open this port.
 */
import { createServer, type Server } from 'node:http';
import type { ApiMetrics } from './api-metrics.js';
import { toErrorResponse } from './error-response.js';

/**
 * Starts the metrics listener; resolves once it listens. A failing render is answered with the
 * API's error body (`METRICS_UNAVAILABLE` 503 when a worker did not answer).
 *
 * @throws the listen error (`EADDRINUSE`, ...)
 * @example
 * ```ts
 * const server = await listenMetrics(metrics, { host: '127.0.0.1', port: 9464 });
 * ```
 */
export function listenMetrics(
  metrics: Pick<ApiMetrics, 'render'>,
  address: { host: string; port: number },
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const answer = toErrorResponse(error, 'en');
        const headers: Record<string, string> = {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        };
        if (answer.retryAfterSeconds !== undefined) headers['retry-after'] = String(answer.retryAfterSeconds);
        response.writeHead(answer.status, headers);
        response.end(request.method === 'HEAD' ? undefined : JSON.stringify(answer.body));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
