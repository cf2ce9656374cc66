/**
 * The web pages (`web/*.html`, assets under `/assets/`), served by the same app under the CSP
 * set by the security-headers plugin (same-origin scripts and styles, `img-src 'self' data:` for QR codes).
 * `GET /devices` is in device-routes (page or JSON by `Accept`).
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './route-deps.js';

const PAGES: readonly (readonly [string, string])[] = [
  ['/', 'index.html'],
  ['/register', 'register.html'],
  ['/login', 'login.html'],
  // A second browser joins an existing account with a pairing token (redeemed by `POST /devices`).
  ['/pair', 'pair.html'],
];

/**
 * Registers `GET /`, `GET /register`, `GET /login` and `GET /pair` (the POSTs are API routes).
 *
 * @throws never (a missing page is 404 NOT_FOUND)
 * @example
 * ```ts
 * await app.register(registerWebRoutes, deps);
 * ```
 */
export async function registerWebRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  for (const [url, page] of PAGES) {
    app.get(
      url,
      { schema: { hide: true, response: { 200: { type: 'string', description: 'HTML page' } } } },
      async (_request, reply) => deps.sendPage(reply, page),
    );
  }
}
