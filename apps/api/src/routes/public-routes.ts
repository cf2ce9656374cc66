/**
 * Unauthenticated infrastructure routes: liveness, readiness (the store answers), the JWT
 * verification keys (RFC 7517 JWKS), the device CA certificate and its CRL (RFC 5280, PEM).
 * The keys, the certificate and the CRL are public and may be cached; health and readiness keep
 * the default no-store (a stored answer about liveness is a wrong answer).
 */
import { isCityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';
import type { FastifyInstance } from 'fastify';
import { allowCaching } from '../allow-caching.js';
import { ERROR_RESPONSES, JWKS_SCHEMA, STATUS_SCHEMA } from '../route-schemas.js';
import type { RouteDeps } from './route-deps.js';

const PEM_RESPONSE = {
  description: 'PEM',
  content: { 'application/x-pem-file': { schema: { type: 'string' } } },
};

/**
 * Registers `/health`, `/ready`, `/.well-known/jwks.json`, `/ca.pem` and `/crl`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await registerPublicRoutes(app, deps);
 * ```
 */
export async function registerPublicRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth } = deps;
  app.get(
    '/health',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Liveness: the process answers',
        response: { 200: STATUS_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Readiness: the data store answers (503 STORE_UNAVAILABLE otherwise)',
        response: { 200: STATUS_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async () => {
      try {
        await auth.ready();
      } catch (error) {
        if (isCityError(error)) throw error;
        throw new StoreUnavailableError('the data store did not answer', { cause: error });
      }
      return { status: 'ready' };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['keys'],
        summary: 'Public JWT verification keys (JWKS)',
        response: { 200: JWKS_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => {
      allowCaching(reply, 'public, max-age=300');
      return auth.jwks();
    },
  );

  app.get(
    '/ca.pem',
    {
      schema: {
        tags: ['keys'],
        summary: 'The device CA certificate (PEM)',
        response: { 200: PEM_RESPONSE, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) =>
      allowCaching(reply, 'public, max-age=3600')
        .type('application/x-pem-file')
        .send(auth.caCertificatePem()),
  );

  app.get(
    '/crl',
    {
      schema: {
        tags: ['keys'],
        summary: 'Revoked device certificates (CRL, PEM)',
        response: { 200: PEM_RESPONSE, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => {
      const crl = await auth.crlPem();
      // Public, but a revocation must be seen at once: stored copies are revalidated on every use.
      return allowCaching(reply, 'no-cache').type('application/x-pem-file').send(crl);
    },
  );
}
