/**
 * The web pages (`web/*.html`, assets under `/assets/`), served by the same app under the CSP
 * set by the security-headers plugin (same-origin scripts and styles, `img-src 'self' data:` for QR codes).
 * `GET /devices` is in device-routes (page or JSON by `Accept`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { allowCaching } from '../allow-caching.js';
import type { RouteDeps } from './route-deps.js';

const PAGES: readonly (readonly [string, string])[] = [
  ['/', 'index.html'],
  ['/register', 'register.html'],
  ['/login', 'login.html'],
  // A second browser joins an existing account with a pairing token (redeemed by `POST /devices`).
  ['/pair', 'pair.html'],
];

/** How long browsers keep the icon without asking again (one day). */
const FAVICON_CACHE_CONTROL = 'public, max-age=86400';

/**
 * Registers `GET /`, `GET /register`, `GET /login` and `GET /pair` (the POSTs are API routes), and
 * the site icon at `/favicon.svg` (linked from every page) and `/favicon.ico` (where browsers and
 * other tools look when a page names none, e.g. for `/openapi.json`).
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
  let icon: Promise<Buffer> | undefined;
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    app.get(
      url,
      { schema: { hide: true, response: { 200: { type: 'string', description: 'SVG icon' } } } },
      async (_request, reply) => {
        icon ??= readFile(join(deps.config.webRoot, 'favicon.svg')).catch((error: unknown) => {
          icon = undefined;
          throw error;
        });
        allowCaching(reply, FAVICON_CACHE_CONTROL);
        return reply.type('image/svg+xml').send(await icon);
      },
    );
  }
}
