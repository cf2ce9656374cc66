/**
 * What an unmatched request is answered with: 405 METHOD_NOT_ALLOWED with `Allow` when the router
 * serves the URL under other methods, else 404 NOT_FOUND (for a browser navigating, the HTML 404 page
 * when one is given). It also answers `reply.callNotFound()`
 * from a route (e.g. a static asset that does not exist), where the method is one the URL allows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods } from './allowed-methods.js';
import { ApiError } from './api-error.js';
import { wantsPage } from './web-pages.js';

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
  sendNotFoundPage?: ((request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) | undefined,
): (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async function answerNotFound(
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const allowed = allowedMethods(this, request.url, registeredMethods);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      throw new ApiError('METHOD_NOT_ALLOWED', `${request.method} is not allowed here`);
    }
    // A browser navigating (Accept: text/html, GET/HEAD) gets the site's 404 page when one is given.
    if (sendNotFoundPage !== undefined && wantsPage(request)) {
      request.errorCode = 'NOT_FOUND';
      return sendNotFoundPage(request, reply);
    }
    throw new ApiError('NOT_FOUND', 'no such route');
  };
}
