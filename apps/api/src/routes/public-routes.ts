/**
 * Unauthenticated infrastructure routes: liveness, readiness (the store answers), the JWT
 * verification keys (RFC 7517 JWKS), the authorization server metadata (RFC 8414) that lets a
 * resource server be configured with the issuer alone, the device CA certificate and its CRL
 * (RFC 5280, PEM).
 * The keys, the metadata, the certificate and the CRL are public and may be cached; health and
 * readiness keep the default no-store (a stored answer about liveness is a wrong answer).
 */
import cluster from 'node:cluster';
import { isCityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';
import type { FastifyInstance } from 'fastify';
import { allowCaching } from '../allow-caching.js';
import { API_VERSION } from '../api-version.js';
import {
  AUTHORIZATION_SERVER_METADATA_SCHEMA,
  ERROR_RESPONSES,
  HEALTH_SCHEMA,
  JWKS_SCHEMA,
  STATUS_SCHEMA,
} from '../route-schemas.js';
import type { RouteDeps } from './route-deps.js';

const PEM_RESPONSE = {
  description: 'PEM',
  content: { 'application/x-pem-file': { schema: { type: 'string' } } },
};

/**
 * Registers `/health`, `/ready`, `/.well-known/jwks.json`, `/.well-known/oauth-authorization-server`,
 * `/ca.pem` and `/crl`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerPublicRoutes, deps);
 * ```
 */
export async function registerPublicRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, issuer } = deps;
  app.get(
    '/health',
    {
      schema: {
        tags: ['infrastructure'],
        summary: 'Liveness: the process answers, with its version (and in worker mode which worker answered)',
        response: { 200: HEALTH_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async () =>
      cluster.worker === undefined
        ? { status: 'ok', version: API_VERSION }
        : { status: 'ok', version: API_VERSION, worker: cluster.worker.id },
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
    '/.well-known/oauth-authorization-server',
    {
      schema: {
        tags: ['keys'],
        summary: 'Authorization server metadata (RFC 8414): issuer, jwks_uri, revocation and introspection',
        response: { 200: AUTHORIZATION_SERVER_METADATA_SCHEMA, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      allowCaching(reply, 'public, max-age=300');
      return authorizationServerMetadata(issuer, `${request.protocol}://${request.host}`, auth);
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

/**
 * RFC 8414 §2 metadata. Endpoint URLs are built on the issuer when it is an http(s) URL without a
 * path (the production setting: `CITY_ISSUER=https://auth.city.example`), else on the origin the
 * request reached. The algorithms are those of the keys in the JWKS right now, so a resource server
 * can pin them; a rotation to another algorithm changes both at once.
 */
function authorizationServerMetadata(
  issuer: string,
  requestOrigin: string,
  auth: RouteDeps['auth'],
): Record<string, unknown> {
  let base = requestOrigin;
  try {
    const url = new URL(issuer);
    if (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      (url.pathname === '/' || url.pathname === '')
    ) {
      base = url.origin;
    }
  } catch {
    // Not a URL (the default "city-chain-auth"): fall back to the request's origin.
  }
  const algorithms = [
    ...new Set(
      auth
        .jwks()
        .keys.map((key) => key.alg)
        .filter((alg): alg is string => typeof alg === 'string'),
    ),
  ];
  return {
    issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/token/revoke`,
    revocation_endpoint_auth_methods_supported: ['none'],
    introspection_endpoint: `${base}/token/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    access_token_signing_alg_values_supported: algorithms,
    service_documentation: `${base}/docs`,
  };
}
