/**
 * The headers every response starts with: `Cache-Control: no-store` (allow-caching.ts; public
 * routes opt out) and helmet's set (CSP for the web pages, HSTS over TLS, nosniff, frame and
 * referrer policies, cross-origin isolation headers...). helmet's middleware runs on each real
 * reply in an onRequest hook; it is built once, so its options (the CSP directives) are parsed
 * once, not per request. Wrapped with fastify-plugin: the hook covers every route, the
 * not-found answers included.
 */
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { NO_STORE_HEADERS } from '../allow-caching.js';

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Whether the API is served over TLS: HSTS and `upgrade-insecure-requests` only then. */
  readonly tls: boolean;
}

/**
 * The helmet options the API runs with.
 *
 * @throws never
 * @example
 * ```ts
 * helmet(helmetOptions({ tls: false }));
 * ```
 */
export function helmetOptions(options: SecurityHeadersOptions): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Over plain HTTP (the local default) upgrading sub-resources to HTTPS would break the pages.
        upgradeInsecureRequests: options.tls ? [] : null,
      },
    },
    // HSTS only means something over HTTPS.
    hsts: options.tls,
  };
}

async function securityHeadersPlugin(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const setHelmetHeaders = helmet(helmetOptions(options));
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(NO_STORE_HEADERS);
    setHelmetHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}

/**
 * Security and caching headers on every response.
 *
 * @throws {Error} at registration when helmet rejects the options
 * @example
 * ```ts
 * await app.register(securityHeaders, { tls: config.tls !== undefined });
 * ```
 */
export const securityHeaders = fastifyPlugin(securityHeadersPlugin, {
  name: 'city-security-headers',
  fastify: '5.x',
});
