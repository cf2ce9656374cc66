/**
 * `/metrics` on a port of its own (`CITY_METRICS=<port>`), so the main port can face the public
 * while the metrics stay on an address only the monitoring network reaches. Answers `GET /metrics`
 * and nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Starts the metrics listener; resolves once it listens.
 *
 * @throws the listen error (`EADDRINUSE`, ...)
 * @example
 * ```ts
 * const server = await listenMetrics(metrics, { host: '127.0.0.1', port: 9464 });
 * ```
 */
export function listenMetrics(metrics: ApiMetrics, address: { host: string; port: number }): Promise<Server> {
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
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
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
