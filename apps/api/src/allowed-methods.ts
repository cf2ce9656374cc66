/**
 * The methods the router really serves for a URL (RFC 9110 §15.5.6: a 405 lists them in `Allow`),
 * asked of Fastify's own router (`findRoute`, the same find-my-way lookup that dispatches requests)
 * for each method some route was registered with. Whatever the router would not take for a method
 * (a trailing slash, a doubled slash, a parameter over its length limit) is not counted.
 */
import type { FastifyInstance } from 'fastify';

/**
 * The methods, among `registeredMethods`, that have a route matching `url` (path and query as
 * received), in the order given.
 *
 * @throws never
 * @example
 * ```ts
 * allowedMethods(app, '/devices/abc?x=1', new Set(['GET', 'HEAD', 'DELETE'])); // ['DELETE']
 * ```
 */
export function allowedMethods(
  app: FastifyInstance,
  url: string,
  registeredMethods: Iterable<string>,
): string[] {
  const allowed: string[] = [];
  for (const method of registeredMethods) {
    if (app.findRoute({ method, url }) !== null) allowed.push(method);
  }
  return allowed;
}
