/**
 * A Fastify plugin for services that accept City Chain access tokens (RFC 6750 bearer tokens,
 * RFC 9068-style `at+jwt`): it verifies each token against the issuer's JWKS (RFC 7517, found by
 * RFC 8414 discovery when only the issuer is given), optionally asks the issuer whether the token
 * is still active (RFC 7662 introspection, short cache), sets `request.cityPrincipal` and enforces
 * roles and permissions. Refusals are the API's own: same codes, statuses, body shape and
 * `WWW-Authenticate` headers.
 */
import { JwtError, RemoteKeySet, verifyToken } from '@city/jwt';
import { hasPermission, type Permission } from '@city/ports';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServer,
  metadataUrlOf,
} from './discover-authorization-server.js';
import { type IntrospectionOptions, TokenIntrospector } from './lib/token-introspector.js';
import type { ResourcePrincipal } from './resource-principal.js';
import {
  RESOURCE_SERVER_ERRORS,
  ResourceServerError,
  type ResourceServerErrorCode,
} from './resource-server-error.js';

/** What a route requires; `true` means "any valid token". */
export interface RouteAuth {
  /** At least one of these roles. */
  readonly roles?: readonly string[] | undefined;
  /** A permission of the shared role table (`hasPermission`). */
  readonly permission?: Permission | undefined;
  /** Ask the issuer whether the token is still active (overrides `introspection.routes`). */
  readonly introspect?: boolean | undefined;
}

/** Options of {@link cityAuth}. */
export interface CityAuthOptions {
  /** The issuer (`iss`), e.g. `https://auth.city.example`; with no `jwksUrl`, its RFC 8414 metadata is read. */
  readonly issuer: string;
  /** This service's audience (`aud`) as the issuer writes it into tokens. */
  readonly audience: string;
  /** The issuer's JWKS; default the metadata's `jwks_uri`. */
  readonly jwksUrl?: string | undefined;
  /** Longest accepted token lifetime (`exp - iat`), in seconds; default 3600. */
  readonly maxTokenLifetimeSeconds?: number | undefined;
  /** Clock skew allowed for `exp`/`nbf`/`iat`, in seconds; default 5. */
  readonly clockToleranceSeconds?: number | undefined;
  /** JWKS cache, cooldown and timeout (see `RemoteKeySet`). */
  readonly jwks?:
    | { readonly cacheMaxAgeSeconds?: number; readonly cooldownSeconds?: number; readonly timeoutMs?: number }
    | undefined;
  /** RFC 7662 introspection as a registered service; off without it. */
  readonly introspection?: IntrospectionOptions | undefined;
  /** The `realm` of `WWW-Authenticate`; default the API's, `city-chain-auth`. */
  readonly realm?: string | undefined;
}

/** What the plugin decorates the instance with, as `app.cityAuth`. */
export interface CityAuthDecorator {
  /** preHandler: any valid token. */
  readonly authenticate: preHandlerAsyncHookHandler;
  /**
   * preHandler: a valid token carrying at least one of `roles`.
   * @throws {ResourceServerError} `INVALID_ARGUMENT` for an empty list.
   * @example `app.get('/reports', { preHandler: app.cityAuth.requireRoles('admin', 'moderator') }, ...)`
   */
  requireRoles(...roles: string[]): preHandlerAsyncHookHandler;
  /**
   * preHandler: a valid token whose roles grant `permission`.
   * @throws never.
   * @example `app.get('/audit', { preHandler: app.cityAuth.requirePermission('audit:read') }, ...)`
   */
  requirePermission(permission: Permission): preHandlerAsyncHookHandler;
  /**
   * preHandler for a full rule (what `config: { cityAuth }` on a route installs).
   * @throws {ResourceServerError} `INVALID_ARGUMENT` for a malformed rule.
   * @example `app.cityAuth.guard({ permission: 'users:read', introspect: true })`
   */
  guard(rule: RouteAuth | true): preHandlerAsyncHookHandler;
  /**
   * Verifies a bearer token outside a route (e.g. a WebSocket upgrade).
   * @throws {ResourceServerError} `TOKEN_INVALID`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`, `AUTH_SERVER_UNAVAILABLE`.
   * @example `const principal = await app.cityAuth.verify(token)`
   */
  verify(token: string, options?: { readonly introspect?: boolean }): Promise<ResourcePrincipal>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the cityAuth guards once the bearer token is verified. */
    cityPrincipal: ResourcePrincipal | undefined;
  }
  interface FastifyInstance {
    cityAuth: CityAuthDecorator;
  }
  interface FastifyContextConfig {
    /** Protects the route: `true` (any valid token) or a rule with roles, a permission, introspection. */
    cityAuth?: RouteAuth | true | undefined;
  }
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

function invalidArgument(message: string): ResourceServerError {
  return new ResourceServerError('INVALID_ARGUMENT', message);
}

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw invalidArgument(`"${name}" expected a non-empty string`);
  return value;
}

function optionalPositive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(`"${name}" expected a non-negative number`);
  }
  return value;
}

/** The plugin's refusal code for a verification failure. */
function refusalOf(error: unknown): ResourceServerError {
  if (error instanceof ResourceServerError) return error;
  if (error instanceof JwtError) {
    switch (error.code) {
      case 'TOKEN_EXPIRED':
        return new ResourceServerError('TOKEN_EXPIRED', 'token has expired', { cause: error });
      case 'TOKEN_REVOKED':
        return new ResourceServerError('TOKEN_REVOKED', 'token has been revoked', { cause: error });
      case 'JWKS_FETCH_FAILED':
      case 'JWKS_TIMEOUT':
      case 'JWKS_INVALID':
        return new ResourceServerError('AUTH_SERVER_UNAVAILABLE', 'the issuer keys could not be fetched', {
          cause: error,
        });
      default:
        return new ResourceServerError('TOKEN_INVALID', 'token is invalid', { cause: error });
    }
  }
  throw error;
}

function checkRule(rule: unknown, name: string): RouteAuth {
  if (rule === true) return {};
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw invalidArgument(`"${name}" expected true or { roles?, permission?, introspect? }`);
  }
  const { roles, permission, introspect } = rule as RouteAuth;
  if (
    roles !== undefined &&
    (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string'))
  ) {
    throw invalidArgument(`"${name}.roles" expected a non-empty array of role names`);
  }
  if (permission !== undefined && typeof permission !== 'string') {
    throw invalidArgument(`"${name}.permission" expected a permission name`);
  }
  if (introspect !== undefined && typeof introspect !== 'boolean') {
    throw invalidArgument(`"${name}.introspect" expected a boolean`);
  }
  return { roles, permission, introspect };
}

const plugin: FastifyPluginAsync<CityAuthOptions> = async (app, options) => {
  if (typeof options !== 'object' || options === null) throw invalidArgument('"options" expected an object');
  const issuer = nonEmptyString(options.issuer, 'options.issuer');
  const audience = nonEmptyString(options.audience, 'options.audience');
  const realm =
    options.realm === undefined ? 'city-chain-auth' : nonEmptyString(options.realm, 'options.realm');
  if (/["\\]/.test(realm)) throw invalidArgument('"options.realm" may not contain quotes or backslashes');
  const maxLifetimeSeconds =
    optionalPositive(options.maxTokenLifetimeSeconds, 'options.maxTokenLifetimeSeconds') ?? 3600;
  const clockToleranceSeconds =
    optionalPositive(options.clockToleranceSeconds, 'options.clockToleranceSeconds') ?? 5;
  const jwksOptions = options.jwks ?? {};

  // Without a jwksUrl the metadata is read on first use, and again after a failure, so a
  // service may start before its issuer does.
  let metadata: Promise<AuthorizationServerMetadata> | undefined;
  const discover = (): Promise<AuthorizationServerMetadata> => {
    metadata ??= discoverAuthorizationServer(issuer, { timeoutMs: jwksOptions.timeoutMs }).catch((error) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  };
  let keys: RemoteKeySet | undefined;
  if (options.jwksUrl !== undefined) {
    keys = RemoteKeySet.fromUrl(nonEmptyString(options.jwksUrl, 'options.jwksUrl'), jwksOptions);
  } else {
    // Fails now for an issuer that cannot be discovered at all (not a URL).
    metadataUrlOf(issuer);
  }
  const keySet = async (): Promise<RemoteKeySet> => {
    keys ??= RemoteKeySet.fromUrl((await discover()).jwks_uri, jwksOptions);
    return keys;
  };

  const introspector =
    options.introspection === undefined
      ? undefined
      : new TokenIntrospector(options.introspection, async () => {
          const endpoint = (await discover()).introspection_endpoint;
          if (endpoint === undefined) {
            throw new ResourceServerError(
              'AUTH_SERVER_UNAVAILABLE',
              'the issuer names no introspection endpoint',
            );
          }
          return endpoint;
        });
  const introspectByDefault =
    introspector !== undefined && (options.introspection?.routes ?? 'all') === 'all';

  const verify = async (
    token: string,
    verifyOptions: { introspect?: boolean } = {},
  ): Promise<ResourcePrincipal> => {
    let claims: Awaited<ReturnType<typeof verifyToken>>['claims'];
    try {
      ({ claims } = await verifyToken(await keySet(), token, {
        typ: 'access',
        issuer,
        audience,
        clockToleranceSeconds,
        maxLifetimeSeconds,
      }));
    } catch (error) {
      throw refusalOf(error);
    }
    const introspect = verifyOptions.introspect ?? introspectByDefault;
    if (introspect) {
      if (introspector === undefined) {
        throw invalidArgument('"introspect" needs the plugin\'s "introspection" options');
      }
      await introspector.assertActive(token, claims.jti, claims.sub, claims.exp);
    }
    return Object.freeze({
      userUuid: claims.sub,
      deviceId: claims.deviceId,
      roles: Object.freeze([...(claims.roles ?? [])]),
      sessionId: claims.sid,
      tokenId: claims.jti,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      introspected: introspect,
    });
  };

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    code: ResourceServerErrorCode,
  ): FastifyReply => {
    const entry = RESOURCE_SERVER_ERRORS[code as keyof typeof RESOURCE_SERVER_ERRORS];
    if (entry === undefined) throw new ResourceServerError(code, 'unexpected refusal');
    if (code === 'AUTHENTICATION_REQUIRED') reply.header('www-authenticate', `Bearer realm="${realm}"`);
    else if (code === 'TOKEN_INVALID' || code === 'TOKEN_EXPIRED' || code === 'TOKEN_REVOKED') {
      reply.header('www-authenticate', `Bearer realm="${realm}", error="invalid_token"`);
    } else if (code === 'AUTH_SERVER_UNAVAILABLE') reply.header('retry-after', '5');
    if (entry.status >= 500) request.log.warn({ code }, 'authorization server unavailable');
    else request.log.info({ code }, 'request refused');
    return reply
      .code(entry.status)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ error: { code, message: entry.message } });
  };

  const guard = (rawRule: RouteAuth | true, name = 'rule'): preHandlerAsyncHookHandler => {
    const rule = checkRule(rawRule, name);
    if (rule.introspect === true && introspector === undefined) {
      throw invalidArgument(`"${name}.introspect" needs the plugin's "introspection" options`);
    }
    return async function cityAuthGuard(request, reply) {
      const token = bearerTokenOf(request);
      if (token === undefined) return refuse(request, reply, 'AUTHENTICATION_REQUIRED');
      let principal: ResourcePrincipal;
      try {
        principal = await verify(token, rule.introspect === undefined ? {} : { introspect: rule.introspect });
      } catch (error) {
        if (error instanceof ResourceServerError && error.code !== 'INVALID_ARGUMENT') {
          if (error.code === 'AUTH_SERVER_UNAVAILABLE')
            request.log.warn({ err: error }, 'issuer unreachable');
          return refuse(request, reply, error.code);
        }
        throw error;
      }
      request.cityPrincipal = principal;
      if (rule.roles !== undefined && !rule.roles.some((role) => principal.roles.includes(role))) {
        return refuse(request, reply, 'FORBIDDEN');
      }
      if (rule.permission !== undefined && !hasPermission(principal.roles, rule.permission)) {
        return refuse(request, reply, 'FORBIDDEN');
      }
    };
  };

  const authenticate = guard(true);
  app.decorateRequest('cityPrincipal', undefined);
  app.decorate('cityAuth', {
    authenticate,
    requireRoles: (...roles: string[]) => guard({ roles }),
    requirePermission: (permission: Permission) => guard({ permission }),
    guard,
    verify: async (token: string, verifyOptions?: { readonly introspect?: boolean }) => {
      if (typeof token !== 'string' || token === '') {
        throw new ResourceServerError('AUTHENTICATION_REQUIRED', 'no token');
      }
      return verify(token, verifyOptions);
    },
  } satisfies CityAuthDecorator);

  // `config: { cityAuth: ... }` on a route installs the guard before the route's own preHandlers.
  app.addHook('onRoute', (route) => {
    const rule = route.config?.cityAuth;
    if (rule === undefined) return;
    const own =
      route.preHandler === undefined
        ? []
        : Array.isArray(route.preHandler)
          ? route.preHandler
          : [route.preHandler];
    route.preHandler = [
      guard(checkRule(rule, `${route.method} ${route.url} config.cityAuth`) as RouteAuth),
      ...own,
    ];
  });
};

/**
 * The plugin: register it once, then protect routes with `config: { cityAuth: ... }` or the
 * preHandlers of `app.cityAuth`.
 *
 * @throws {ResourceServerError} at registration: `INVALID_ARGUMENT` for bad options (an issuer that
 *   is not a URL without `jwksUrl`, an empty audience, a malformed route rule).
 * @example
 * ```ts
 * await app.register(cityAuth, { issuer: 'https://auth.city.example', audience: 'city-api' });
 * app.get('/orders', { config: { cityAuth: true } }, async (request) => listOrders(request.cityPrincipal!.userUuid));
 * app.get('/audit', { config: { cityAuth: { permission: 'audit:read' } } }, async () => readAudit());
 * ```
 */
export const cityAuth = fastifyPlugin(plugin, { fastify: '5.x', name: '@city/fastify-resource-server' });
