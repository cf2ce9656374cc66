/**
 * Client credentials of a registered service (RFC 6749 §2.3.1): HTTP Basic with the form-encoded
 * id and secret, or `client_id` + `client_secret` in the body. Using both is refused (§2.3: one
 * method per request); what is left of the body is the use case's input.
 */
import type { ServiceCredentials } from '@city/registration-core';

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Splits a request into the service's credentials and the introspection input.
 *
 * @throws never (malformed credentials become undefined, which the use case refuses)
 * @example `serviceCredentialsOf('Basic b3JkZXJzOnMzY3JldA==', { token })`
 */
export function serviceCredentialsOf(
  authorization: string | undefined,
  body: unknown,
): { credentials: ServiceCredentials; input: unknown } {
  let input = body;
  let fromBody: ServiceCredentials | undefined;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { client_id, client_secret, ...rest } = body as Record<string, unknown>;
    if (client_id !== undefined || client_secret !== undefined) {
      fromBody = {
        clientId: typeof client_id === 'string' ? client_id : undefined,
        clientSecret: typeof client_secret === 'string' ? client_secret : undefined,
      };
    }
    input = rest;
  }
  const basic =
    typeof authorization === 'string' ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization) : null;
  if (basic === null) {
    const none = { clientId: undefined, clientSecret: undefined };
    // Any other Authorization scheme (a bearer token) is not a service credential.
    return { credentials: authorization === undefined ? (fromBody ?? none) : none, input };
  }
  if (fromBody !== undefined) return { credentials: { clientId: undefined, clientSecret: undefined }, input };
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { credentials: { clientId: undefined, clientSecret: undefined }, input };
  return {
    credentials: {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    },
    input,
  };
}
