/**
 * The Fastify application factory (the fastify model: `buildApp(options)`, tested through
 * `app.inject()`). The app is a thin HTTP shell over registration-core's {@link AuthService}:
 * routes translate HTTP to use-case calls and use-case errors to HTTP through the one error
 * registry. `buildApp` only creates the instance (logging with secret redaction, request ids,
 * body limit, TLS, proxies) and composes plugins: the app-wide ones first (wrapped with
 * fastify-plugin: error answers, security headers, body parsing, metrics, rate limits, OpenAPI,
 * web assets, authentication), then each route group in its own encapsulated context.
 */
import { randomUUID } from 'node:crypto';
import type { KeySet } from '@city/jwt';
import type { CounterStore } from '@city/ports';
import {
  AuthError,
  type AuthService,
  DEFAULT_AUTH_CONFIG,
  type RequestContext,
} from '@city/registration-core';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ApiMetrics } from './api-metrics.js';
import type { ApiConfig, LogLevel } from './config.js';
import { peerCertificateOf } from './peer-certificate.js';
import { authentication } from './plugins/authentication.js';
import { errorHandling } from './plugins/error-handling.js';
import { jsonBody } from './plugins/json-body.js';
import { openApi } from './plugins/openapi.js';
import { rateLimits } from './plugins/rate-limits.js';
import { requestMetrics } from './plugins/request-metrics.js';
import { securityHeaders } from './plugins/security-headers.js';
import { webAssets } from './plugins/web-assets.js';
import { redactSecretQuery } from './redact-secret-query.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerCertificateDeliveryRoutes } from './routes/certificate-delivery-routes.js';
import { registerDeviceRoutes } from './routes/device-routes.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerOriginalClientRoutes } from './routes/original-client-routes.js';
import { registerPublicRoutes } from './routes/public-routes.js';
import { registerRecoveryRoutes } from './routes/recovery-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { sendError } from './send-error.js';
import { tlsServerOptions } from './tls-server-options.js';
import { validatorCompiler } from './validator-compiler.js';
import { webPages } from './web-pages.js';
import { writeClientError } from './write-client-error.js';

/** Where log lines go (a pino destination). */
export interface LogDestination {
  write(line: string): void;
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** The use cases; the only thing routes call. */
  readonly auth: AuthService;
  readonly config: ApiConfig;
  /** `false` silences logs; an object picks the level and destination. Default: `config.logLevel` to stdout. */
  readonly logger?: false | { readonly level?: LogLevel; readonly stream?: LogDestination } | undefined;
  /** Shared counters for rate limits across instances; in-memory counting without it. */
  readonly counters?: CounterStore | undefined;
  /**
   * The JWT facts of the runtime; `issuer` is the `iss` published in the server metadata. Tokens
   * are verified by `auth.authenticate` alone (`app.authenticate` for routes an embedder adds).
   */
  readonly jwt?: { readonly keys: KeySet; readonly issuer: string; readonly audience: string } | undefined;
  /**
   * Where every finished request is recorded. `GET /metrics` is served on the API's port when
   * `config.metrics.mode` is `on`; with a port of its own the caller serves it (`listenMetrics`).
   */
  readonly metrics?: ApiMetrics | undefined;
}

/** Pino paths never written to logs. */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-client-cert"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'refresh_token',
    'refreshToken',
    'accessToken',
    'token',
    'pairing_token',
    'qr_code',
    'privateKeyPem',
    'private_key',
    'pkcs12_password',
    'pkcs12Base64',
    'signature',
    'mynumber',
  ].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** What a request log line says about the request: Fastify's default fields, the URL without secret query values. */
function requestLogValue(request: {
  method: string;
  url: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: request.method,
    url: redactSecretQuery(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * Builds the API (not listening): call `app.listen()` or `app.inject()`.
 *
 * @throws {Error} when TLS is configured with groups this runtime does not support at all
 * @example
 * ```ts
 * const { auth, close } = await openEmbeddedAuth({ dataDir: './.city' });
 * const app = await buildApp({ auth, config: loadConfig() });
 * await app.listen({ host: '127.0.0.1', port: 3000 });
 * ```
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { auth, config, metrics } = options;
  const loggerOption =
    options.logger === false
      ? false
      : {
          level: options.logger?.level ?? config.logLevel,
          redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' },
          // Fastify's request serializer, with secret-bearing query parameters redacted from the URL.
          serializers: { req: requestLogValue },
          ...(options.logger?.stream === undefined ? {} : { stream: options.logger.stream }),
        };
  const app = Fastify({
    logger: loggerOption,
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    // Router-level failures (bad URL encoding, over-long parameters) get the same error bodies.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
    // Errors of Node's HTTP parser (before any route): same body shape, HEADERS_TOO_LARGE for 431.
    clientErrorHandler: (error, socket) => writeClientError(error, socket),
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(config.tls === undefined ? {} : { https: tlsServerOptions(config.tls, auth.caCertificatePem()) }),
  });
  app.setValidatorCompiler(validatorCompiler());

  // App-wide plugins, in this order: the error plugin's route table and the OpenAPI collector
  // must see every route, and the hooks must run before any route group's.
  const pages = webPages(config.webRoot);
  // A browser navigating to a missing page gets the site's 404 page; API clients keep the JSON.
  await app.register(errorHandling, {
    sendNotFoundPage: (request, reply) => pages.send(request, reply, 'not-found.html', 404),
  });
  await app.register(jsonBody);
  if (metrics !== undefined) await app.register(requestMetrics, { metrics });
  await app.register(securityHeaders, { tls: config.tls !== undefined });
  if (config.rateLimitPerMinute > 0 || config.credentialRateLimitPerMinute > 0) {
    await app.register(rateLimits, { perMinute: config.rateLimitPerMinute, counters: options.counters });
  }
  await app.register(openApi);
  await app.register(webAssets, { webRoot: config.webRoot });
  await app.register(authentication, { auth });

  const deps: RouteDeps = {
    auth,
    config,
    issuer: options.jwt?.issuer ?? config.issuer ?? DEFAULT_AUTH_CONFIG.issuer,
    credentialRateLimit:
      config.credentialRateLimitPerMinute > 0
        ? { max: config.credentialRateLimitPerMinute, timeWindow: 60_000 }
        : false,
    authenticate: app.authenticate,
    principalOf: (request) => {
      if (request.principal === undefined) throw new AuthError('AUTHENTICATION_REQUIRED');
      return request.principal;
    },
    contextOf: (request): RequestContext => ({
      ip: request.ip,
      userAgent:
        typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
      peerCertificatePem: peerCertificateOf(request.raw, { trustedProxies: config.trustedProxies }),
    }),
    sendPage: (reply: FastifyReply, page: string) => pages.send(reply.request, reply, page),
  };

  // Route groups, each in its own encapsulated context.
  if (metrics !== undefined && config.metrics.mode === 'on') {
    await app.register(registerMetricsRoutes, { metrics });
  }
  await app.register(registerPublicRoutes, deps);
  await app.register(registerAuthRoutes, deps);
  await app.register(registerDeviceRoutes, deps);
  await app.register(registerOriginalClientRoutes, deps);
  await app.register(registerCertificateDeliveryRoutes, deps);
  await app.register(registerRecoveryRoutes, deps);
  await app.register(registerAdminRoutes, deps);
  await app.register(registerWebRoutes, deps);
  return app;
}
