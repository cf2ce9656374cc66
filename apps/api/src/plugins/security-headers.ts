/**
 * The headers every response starts with: `Cache-Control: no-store` (allow-caching.ts; public
 * routes opt out) and helmet's set (CSP for the web pages, HSTS over TLS, nosniff, frame and
 * referrer policies, cross-origin isolation headers...). None of helmet's headers depends on the
 * request (no nonces), so helmet's middleware runs once, at registration, on a real
 * `ServerResponse`, and the headers it wrote are set on every reply from an onRequest hook — the
 * same bytes, without rebuilding the policy strings per request. Wrapped with fastify-plugin: the
 * hook covers every route, the not-found answers included.
 */
import { IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
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

/** The headers helmet writes for `options`, read from a real response it ran on. */
function helmetHeaders(options: SecurityHeadersOptions): OutgoingHttpHeaders {
  const request = new IncomingMessage(new Socket());
  const response = new ServerResponse(request);
  let failure: unknown;
  let ran = false;
  helmet(helmetOptions(options))(request, response, (error?: unknown) => {
    ran = true;
    failure = error;
  });
  if (!ran || failure !== undefined) {
    throw new Error(`helmet did not set the security headers: ${String(failure ?? 'did not finish')}`);
  }
  return response.getHeaders();
}

async function securityHeadersPlugin(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const headers = { ...NO_STORE_HEADERS, ...helmetHeaders(options) };
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
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
