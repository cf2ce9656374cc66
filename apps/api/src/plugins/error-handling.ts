/**
 * Error answers for the whole app: the error handler (every thrown error answered from the error
 * registry by {@link sendError}) and the not-found handler (404, or 405 with `Allow` from the
 * router's own table). Wrapped with fastify-plugin because both handlers and the route-method
 * table must apply to every route, not only to routes registered inside this plugin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { notFoundHandler } from '../not-found-handler.js';
import { sendError } from '../send-error.js';

/** Options of {@link errorHandling}. */
export interface ErrorHandlingOptions {
  /** Answers a browser navigating to a missing page (an HTML 404); API clients get the JSON error. */
  readonly sendNotFoundPage?:
    | ((request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>)
    | undefined;
}

async function errorHandlingPlugin(app: FastifyInstance, options: ErrorHandlingOptions): Promise<void> {
  app.decorateRequest('errorCode', undefined);
  // Every method some route is registered with (HEAD included, added for each GET route); the
  // not-found handler asks the router which of them the requested URL has.
  const registeredMethods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      registeredMethods.add(method.toUpperCase());
    }
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler(notFoundHandler(registeredMethods, options.sendNotFoundPage));
}

/**
 * The error and not-found handlers; register before any route so every route is in the table.
 *
 * @throws never
 * @example
 * ```ts
 * await app.register(errorHandling);
 * ```
 */
export const errorHandling = fastifyPlugin(errorHandlingPlugin, {
  name: 'city-error-handling',
  fastify: '5.x',
});
