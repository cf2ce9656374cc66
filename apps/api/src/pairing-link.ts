/**
 * The pairing link a phone's camera opens: `<public base URL>/pair?token=..[&label=..]` (WHATWG URL
 * serialisation). The base is `CITY_PUBLIC_BASE_URL` when set; otherwise the address the browser
 * asking for the token used (its scheme and `Host`), which is right for local use — a phone on the
 * same network reaches the laptop at the address the laptop's browser shows. Only the person asking
 * sees the link, so a forged `Host` misleads nobody else; a malformed one falls back to the
 * listening address.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from './config.js';

/** A host name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/**
 * The base URL people reach the pages at, without a trailing slash.
 *
 * @throws never
 * @example
 * ```ts
 * publicBaseUrlOf(request, config); // 'https://auth.example' or 'http://192.168.1.20:3000'
 * ```
 */
export function publicBaseUrlOf(
  request: Pick<FastifyRequest, 'protocol' | 'host'>,
  config: Pick<ApiConfig, 'publicBaseUrl' | 'host' | 'port' | 'tls'>,
): string {
  if (config.publicBaseUrl !== undefined) return config.publicBaseUrl;
  const scheme = config.tls === undefined ? 'http' : 'https';
  const protocol = request.protocol === 'https' || request.protocol === 'http' ? request.protocol : scheme;
  if (typeof request.host === 'string' && HOST.test(request.host)) return `${protocol}://${request.host}`;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/**
 * The `/pair` link for a pairing token (and the label the new device should get).
 *
 * @throws never
 * @example
 * ```ts
 * pairingLink('https://auth.example', token); // 'https://auth.example/pair?token=...'
 * ```
 */
export function pairingLink(baseUrl: string, token: string, label?: string | undefined): string {
  const query = new URLSearchParams({ token });
  if (label !== undefined && label !== '') query.set('label', label);
  return `${baseUrl}/pair?${query.toString()}`;
}
