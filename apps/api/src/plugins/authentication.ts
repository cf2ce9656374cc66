/**
 * Bearer authentication (RFC 6750 §2.1): `app.authenticate` reads the `Authorization: Bearer`
 * token and has registration-core verify it once (signature and claims against the key set,
 * revocation list, user and device still active), setting `request.principal`. Wrapped with
 * fastify-plugin so the decorators reach every route group and routes an embedder adds.
 */
import { AuthError, type AuthService, type Principal } from '@city/registration-core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies the request's bearer token and sets `request.principal` (a preHandler). */
    authenticate(request: FastifyRequest): Promise<void>;
  }
  interface FastifyRequest {
    /** Set by `app.authenticate` on authenticated routes. */
    principal: Principal | undefined;
  }
}

/** Options of {@link authentication}. */
export interface AuthenticationOptions {
  /** The use cases; `auth.authenticate` is the one token check. */
  readonly auth: AuthService;
}

function bearerTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

async function authenticationPlugin(app: FastifyInstance, options: AuthenticationOptions): Promise<void> {
  const { auth } = options;
  app.decorateRequest('principal', undefined);
  app.decorate('authenticate', async (request: FastifyRequest): Promise<void> => {
    const token = bearerTokenOf(request);
    if (token === undefined) throw new AuthError('AUTHENTICATION_REQUIRED');
    request.principal = await auth.authenticate(token);
  });
}

/**
 * The `authenticate` decorator and `request.principal`.
 *
 * @throws never at registration; `app.authenticate` throws AuthError AUTHENTICATION_REQUIRED
 *   without a bearer token, and the core's token errors for a refused one
 * @example
 * ```ts
 * await app.register(authentication, { auth });
 * app.get('/whoami', { preHandler: app.authenticate }, async (request) => request.principal);
 * ```
 */
export const authentication = fastifyPlugin(authenticationPlugin, {
  name: 'city-authentication',
  fastify: '5.x',
});
