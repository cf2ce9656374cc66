/**
 * Caching policy (RFC 9111 §5.2.2.5, RFC 6749 §5.1): every response is `Cache-Control: no-store`
 * and `Pragma: no-cache` unless its route opts out here. The default is set before any route runs
 * (the security-headers plugin), so a route that returns a token, a key, a pairing token or personal data cannot
 * forget it; only public, non-personal answers (JWKS, the CA certificate, the CRL, static assets
 * and the web pages' HTML) call {@link allowCaching}.
 */
import type { FastifyReply } from 'fastify';

/** The headers every response starts with. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
});

/**
 * Lets a public, non-personal response be cached with `cacheControl` (and drops `Pragma`).
 *
 * @throws never
 * @example
 * ```ts
 * app.get('/.well-known/jwks.json', async (_request, reply) => {
 *   allowCaching(reply, 'public, max-age=300');
 *   return auth.jwks();
 * });
 * ```
 */
export function allowCaching(reply: FastifyReply, cacheControl: string): FastifyReply {
  reply.header('cache-control', cacheControl);
  reply.removeHeader('pragma');
  return reply;
}
