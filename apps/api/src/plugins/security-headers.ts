/**
 * The headers every response carries, in two sets (OWASP's REST and HTTP-headers guidance):
 *
 * - **Every response** (JSON, errors, 404/405, rate-limit refusals, assets): `Cache-Control:
 *   no-store` and `Pragma: no-cache` (allow-caching.ts; public routes opt out), a CSP that lets the
 *   answer load nothing and be framed nowhere (`default-src 'none'; frame-ancestors 'none'`),
 *   `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Cross-Origin-Resource-Policy:
 *   same-origin`, and HSTS over TLS. Set from an onRequest hook, before any route runs.
 * - **HTML documents** (the web pages, the HTML 404 page, the API reference at /docs): helmet's
 *   whole set on top — the pages' CSP, opener and referrer policies, origin-agent clustering and the
 *   rest, which only mean something to a document a browser renders. Added by
 *   `reply.documentHeaders()`, which the code that renders a page calls (web-pages.ts, the /docs
 *   context of the openapi plugin).
 *
 * None of the headers depends on the request (no nonces), so helmet's middleware runs once, at
 * registration, on a real `ServerResponse`, and the headers it wrote are reused as they are. The
 * onRequest hook also sets `X-Request-Id`. There is no onSend hook: a JSON answer passes through
 * no hook after its handler. Wrapped with fastify-plugin: the hook covers every route, the
 * not-found answers included.
 */
import { IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { NO_STORE_HEADERS } from '../allow-caching.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Adds helmet's headers for an HTML document a browser renders (see security-headers.ts). */
    documentHeaders(): FastifyReply;
  }
}

/** Options of {@link securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Whether the API is served over TLS: HSTS and `upgrade-insecure-requests` only then. */
  readonly tls: boolean;
}

/**
 * The helmet options the API's HTML documents are served with.
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

/**
 * The security headers of every response that is not an HTML document, for `options`.
 *
 * @throws {Error} when helmet rejects the options (HSTS is taken from helmet's own header)
 * @example
 * ```ts
 * apiSecurityHeaders({ tls: true })['strict-transport-security']; // 'max-age=31536000; includeSubDomains'
 * ```
 */
export function apiSecurityHeaders(options: SecurityHeadersOptions): Readonly<Record<string, string>> {
  const hsts = helmetHeaders(options)['strict-transport-security'];
  return Object.freeze({
    ...NO_STORE_HEADERS,
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(hsts === undefined ? {} : { 'strict-transport-security': String(hsts) }),
  });
}

async function securityHeadersPlugin(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const everyResponse = apiSecurityHeaders(options);
  const documents = helmetHeaders(options);
  app.decorateReply('documentHeaders', function documentHeaders(this: FastifyReply): FastifyReply {
    return this.headers(documents);
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(everyResponse).header('x-request-id', request.id);
    done();
  });
}

/**
 * Security and caching headers and `X-Request-Id` on every response; `reply.documentHeaders()` for HTML.
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
