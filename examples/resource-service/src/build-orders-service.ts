/**
 * An orders service protected by City Chain access tokens: what a service owner writes. One
 * `register`, then each route says what it needs in `config.cityAuth`.
 */
import { type CityAuthOptions, cityAuth } from '@city/fastify-resource-server';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * Builds the service (not listening).
 *
 * @throws {ResourceServerError} `INVALID_ARGUMENT` for bad auth options.
 * @example `const app = await buildOrdersService({ issuer: 'https://auth.city.example', audience: 'city-chain' })`
 */
export async function buildOrdersService(auth: CityAuthOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
  await app.register(cityAuth, auth);

  app.get('/health', async () => ({ status: 'ok' }));

  // Any valid token: the caller's own orders.
  app.get('/orders', { config: { cityAuth: true } }, async (request) => ({
    owner: request.cityPrincipal!.userUuid,
    device: request.cityPrincipal!.deviceId,
    orders: [],
  }));

  // A permission from the shared role table (moderators and admins hold audit:read).
  app.get('/reports', { config: { cityAuth: { permission: 'audit:read' } } }, async () => ({ reports: [] }));

  // A role; with introspection configured, the issuer is asked whether the session is still live.
  app.delete(
    '/orders/:id',
    { config: { cityAuth: { roles: ['admin'], introspect: auth.introspection !== undefined } } },
    async (request) => ({ deleted: (request.params as { id: string }).id }),
  );
  return app;
}
