/**
 * The OpenAPI 3 document, built by @fastify/swagger from every route's schema, served as
 * `GET /openapi.json` and through Swagger UI under `/docs`. Wrapped with fastify-plugin so
 * @fastify/swagger's route collector sees the routes of every group registered after it.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { API_VERSION } from '../api-version.js';

async function openApiPlugin(app: FastifyInstance): Promise<void> {
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
  // The reference is a document: its context adds the pages' headers to everything it serves.
  await app.register(async (docs) => {
    docs.addHook('onRequest', (_request, reply, done) => {
      reply.documentHeaders();
      done();
    });
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      // The reference runs under the pages' own CSP. Swagger UI's top bar draws its logo as an inline SVG
      // with a <style> element, which that policy refuses: the base layout (no top bar) has none.
      uiConfig: { layout: 'BaseLayout' },
    });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * The OpenAPI document and its UI; register before the route groups.
 *
 * @throws never at registration
 * @example
 * ```ts
 * await app.register(openApi);
 * ```
 */
export const openApi = fastifyPlugin(openApiPlugin, { name: 'city-openapi', fastify: '5.x' });
