/**
 * @city/fastify-resource-server — protect a Fastify service's routes with City Chain access
 * tokens: remote JWKS verification (RFC 7517, RFC 8414 discovery), the verified principal on the
 * request, role and permission guards, optional RFC 7662 introspection, and the API's own 401/403
 * answers (RFC 6750 §3).
 */
export { type CityAuthDecorator, type CityAuthOptions, cityAuth, type RouteAuth } from './city-auth.js';
export {
  type AuthorizationServerMetadata,
  discoverAuthorizationServer,
  metadataUrlOf,
} from './discover-authorization-server.js';
export type { IntrospectionOptions } from './lib/token-introspector.js';
export type { ResourcePrincipal } from './resource-principal.js';
export {
  RESOURCE_SERVER_ERRORS,
  ResourceServerError,
  type ResourceServerErrorCode,
} from './resource-server-error.js';
