/**
 * The Fastify application factory (the fastify model: `buildApp(options)`, tested through
 * `app.inject()`). The app is a thin HTTP shell over registration-core's {@link AuthService}:
 * routes translate HTTP to use-case calls and use-case errors to HTTP through the one error
 * registry. Security headers (helmet, CSP for the web pages), rate limits over a shared counter
 * store, body limits, request ids, secret redaction in logs and OpenAPI are set up here.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type FastifyJwtOptions, fastifyJwtOptions, type KeySet } from '@city/jwt';
import type { CounterStore } from '@city/ports';
import {
  AuthError,
  type AuthService,
  DEFAULT_AUTH_CONFIG,
  type Principal,
  type RequestContext,
} from '@city/registration-core';
import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt';
import fastifyRateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { allowCaching, NO_STORE_HEADERS } from './allow-caching.js';
import { ApiError } from './api-error.js';
import type { ApiMetrics } from './api-metrics.js';
import { API_VERSION } from './api-version.js';
import type { ApiConfig, LogLevel } from './config.js';
import { counterRateLimitStore } from './counter-rate-limit-store.js';
import { peerCertificateOf } from './peer-certificate.js';
import { errorHandling } from './plugins/error-handling.js';
import { redactSecretQuery } from './redact-secret-query.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerCertificateDeliveryRoutes } from './routes/certificate-delivery-routes.js';
import { registerDeviceRoutes } from './routes/device-routes.js';
import { registerOriginalClientRoutes } from './routes/original-client-routes.js';
import { registerPublicRoutes } from './routes/public-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { securityHeaders } from './security-headers.js';
import { sendError } from './send-error.js';
import { tlsServerOptions } from './tls-server-options.js';
import { validatorCompiler } from './validator-compiler.js';
import { writeClientError } from './write-client-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer-token pre-handler on authenticated routes. */
    principal: Principal | undefined;
  }
}

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
   * The JWT key set, to register @fastify/jwt with the same keys (for `app.jwt` in extensions).
   * Routes never call it: `auth.authenticate` verifies each token once (signature, claims,
   * revocation, user and device status).
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

const FAST_JWT_ALGORITHMS = new Set(['EdDSA', 'ES256', 'RS256', 'HS256']);

function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
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
  const { auth, config } = options;
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

  // An empty JSON body is "no body" (optional-body routes); anything else goes through
  // Fastify's prototype-poisoning-safe parser. text/plain is not an API content type.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    jsonParser(request, body as string, done);
  });

  app.decorateRequest('principal', undefined);
  const metrics = options.metrics;
  if (metrics !== undefined) {
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
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  await app.register(errorHandling);

  // Every response starts as no-store (allow-caching.ts); public routes opt out explicitly.
  const headers = {
    ...NO_STORE_HEADERS,
    ...securityHeaders({
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
          upgradeInsecureRequests: config.tls === undefined ? null : [],
        },
      },
      // HSTS only means something over HTTPS.
      hsts: config.tls !== undefined,
    }),
  };
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });

  const credentialRateLimit =
    config.credentialRateLimitPerMinute > 0
      ? { max: config.credentialRateLimitPerMinute, timeWindow: 60_000 }
      : false;
  if (config.rateLimitPerMinute > 0 || config.credentialRateLimitPerMinute > 0) {
    const rateLimitOptions: RateLimitPluginOptions = {
      global: config.rateLimitPerMinute > 0,
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => request.ip,
      // A store outage must not take the API down with it: skip counting, the core's own
      // store calls will answer 503.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', 'rate limit exceeded', {
          retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        }),
      ...(options.counters === undefined ? {} : { store: counterRateLimitStore(options.counters) }),
    };
    await app.register(fastifyRateLimit, rateLimitOptions);
  }

  if (options.jwt !== undefined && FAST_JWT_ALGORITHMS.has(options.jwt.keys.active.alg)) {
    const jwtOptions: FastifyJwtOptions = fastifyJwtOptions(options.jwt.keys, options.jwt);
    await app.register(fastifyJwt, jwtOptions as unknown as FastifyJWTOptions);
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'City Chain Auth API',
        version: API_VERSION,
        description:
          'Registration, login with device proof, pairing, devices and tokens. Errors: `{ error: { code, message, fields? } }`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(fastifyStatic, {
    root: join(config.webRoot, 'assets'),
    prefix: '/assets/',
    index: false,
    list: false,
    dotfiles: 'deny',
    wildcard: true,
    // Scripts, styles and the pages' HTML are the same for everyone; @fastify/static sets their
    // Cache-Control (revalidated on every use: max-age=0 with ETag/Last-Modified).
    setHeaders: (reply) => void allowCaching(reply, 'public, max-age=0'),
  });

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const token = bearerTokenOf(request);
    if (token === undefined) throw new AuthError('AUTHENTICATION_REQUIRED');
    request.principal = await auth.authenticate(token);
  };
  const deps: RouteDeps = {
    auth,
    config,
    issuer: options.jwt?.issuer ?? config.issuer ?? DEFAULT_AUTH_CONFIG.issuer,
    credentialRateLimit,
    authenticate,
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
    sendPage: (reply: FastifyReply, page: string) =>
      reply.type('text/html; charset=utf-8').sendFile(page, config.webRoot),
  };

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (metrics !== undefined && config.metrics.mode === 'on') {
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
  await registerPublicRoutes(app, deps);
  await registerAuthRoutes(app, deps);
  await registerDeviceRoutes(app, deps);
  await registerOriginalClientRoutes(app, deps);
  await registerCertificateDeliveryRoutes(app, deps);
  await registerAdminRoutes(app, deps);
  await registerWebRoutes(app, deps);
  return app;
}
