/**
 * What an unmatched request is answered with: 405 METHOD_NOT_ALLOWED with `Allow` when the router
 * serves the URL under other methods, else 404 NOT_FOUND. It also answers `reply.callNotFound()`
 * from a route (e.g. a static asset that does not exist), where the method is one the URL allows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods } from './allowed-methods.js';
import { ApiError } from './api-error.js';

/**
 * A not-found handler for `app.setNotFoundHandler`, given the methods routes are registered with.
 *
 * @throws {ApiError} METHOD_NOT_ALLOWED or NOT_FOUND (answered by the error handler)
 * @example
 * ```ts
 * const methods = new Set<string>();
 * app.addHook('onRoute', (route) => { ... methods.add(route.method) ... });
 * app.setNotFoundHandler(notFoundHandler(methods));
 * ```
 */
export function notFoundHandler(
  registeredMethods: ReadonlySet<string>,
): (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<never> {
  return async function answerNotFound(
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<never> {
    const allowed = allowedMethods(this, request.url, registeredMethods);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      throw new ApiError('METHOD_NOT_ALLOWED', `${request.method} is not allowed here`);
    }
    throw new ApiError('NOT_FOUND', 'no such route');
  };
}
