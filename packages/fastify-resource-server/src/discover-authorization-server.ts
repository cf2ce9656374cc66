/**
 * Authorization server metadata discovery, RFC 8414 §3: the metadata URL is the issuer's origin,
 * then `/.well-known/oauth-authorization-server`, then the issuer's path (§3.1); the answer's
 * `issuer` must equal the configured issuer exactly (§3.3), which stops a metadata document from
 * sending verification elsewhere.
 */
import { ResourceServerError } from './resource-server-error.js';

/** The metadata members the plugin uses (RFC 8414 §2, RFC 7662 §4 endpoint names). */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly introspection_endpoint?: string | undefined;
  readonly revocation_endpoint?: string | undefined;
  readonly access_token_signing_alg_values_supported?: readonly string[] | undefined;
}

function unavailable(message: string, cause?: unknown): ResourceServerError {
  return new ResourceServerError('AUTH_SERVER_UNAVAILABLE', message, cause === undefined ? {} : { cause });
}

function httpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The RFC 8414 metadata URL of `issuer`.
 *
 * @throws {ResourceServerError} `INVALID_ARGUMENT` when the issuer is not an http(s) URL.
 * @example `metadataUrlOf('https://auth.city.example') // https://auth.city.example/.well-known/oauth-authorization-server`
 */
export function metadataUrlOf(issuer: string): URL {
  if (!httpUrl(issuer)) {
    throw new ResourceServerError(
      'INVALID_ARGUMENT',
      '"issuer" must be an http(s) URL to discover its metadata; give "jwksUrl" otherwise',
    );
  }
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return new URL(`${url.origin}/.well-known/oauth-authorization-server${path}`);
}

/**
 * Fetches and checks the issuer's metadata.
 *
 * @throws {ResourceServerError} `INVALID_ARGUMENT` for an issuer that is not a URL;
 *   `AUTH_SERVER_UNAVAILABLE` when the fetch fails or times out, the answer is not JSON, its
 *   `issuer` differs from the one asked for, or `jwks_uri` is missing.
 * @example
 * ```ts
 * const { jwks_uri, introspection_endpoint } = await discoverAuthorizationServer('https://auth.city.example');
 * ```
 */
export async function discoverAuthorizationServer(
  issuer: string,
  options: { timeoutMs?: number } = {},
): Promise<AuthorizationServerMetadata> {
  const url = metadataUrlOf(issuer);
  let body: unknown;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(`authorization server metadata answered HTTP ${response.status}`);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof ResourceServerError) throw error;
    throw unavailable('authorization server metadata could not be fetched', error);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw unavailable('authorization server metadata is not a JSON object');
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    throw unavailable('authorization server metadata names another issuer');
  }
  if (!httpUrl(metadata.jwks_uri)) throw unavailable('authorization server metadata has no jwks_uri');
  const optionalUrl = (name: string): string | undefined =>
    httpUrl(metadata[name]) ? (metadata[name] as string) : undefined;
  const algorithms = metadata.access_token_signing_alg_values_supported;
  return {
    issuer,
    jwks_uri: metadata.jwks_uri,
    introspection_endpoint: optionalUrl('introspection_endpoint'),
    revocation_endpoint: optionalUrl('revocation_endpoint'),
    access_token_signing_alg_values_supported:
      Array.isArray(algorithms) && algorithms.every((a) => typeof a === 'string') ? algorithms : undefined,
  };
}
