/**
 * Request body parsing: `application/json` only, through Fastify's prototype-poisoning-safe parser
 * (`__proto__` and `constructor.prototype` refused), with an empty JSON body read as "no body" for
 * the optional-body routes. `text/plain` is not an API content type. Wrapped with fastify-plugin:
 * the parsers serve every route group.
 */
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

async function jsonBodyPlugin(app: FastifyInstance): Promise<void> {
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    jsonParser(request, body as string, done);
  });
}

/**
 * The API's body parsers.
 *
 * @throws never at registration
 * @example
 * ```ts
 * await app.register(jsonBody);
 * ```
 */
export const jsonBody = fastifyPlugin(jsonBodyPlugin, { name: 'city-json-body', fastify: '5.x' });
