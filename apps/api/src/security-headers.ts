/**
 * The security headers every response carries (helmet's set: CSP, HSTS over TLS, nosniff,
 * frame and referrer policies, cross-origin isolation headers...), computed ONCE from the
 * options by running helmet's middleware against a recording response. helmet's values depend
 * only on the options (no directive here is a per-request function), so the per-request work
 * is copying a fixed header object instead of rebuilding helmet — which re-parses the CSP
 * directives on every call and was the largest single cost of a small authenticated request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers for `options`, lower-case names.
 *
 * @throws {Error} when helmet rejects the options (e.g. a malformed CSP directive), or a directive is a per-request function
 * @example
 * ```ts
 * const headers = securityHeaders({ hsts: false });
 * app.addHook('onRequest', (request, reply, done) => { reply.headers(headers); done(); });
 * ```
 */
export function securityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  const request = new Proxy(
    {},
    {
      get() {
        throw new Error('security headers must not depend on the request (a CSP directive is a function)');
      },
    },
  );
  let failure: unknown;
  helmet(options)(request as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  return Object.freeze(headers);
}
