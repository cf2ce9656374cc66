/**
 * Which client certificate a request carries, for the mTLS device proof (client
 * certificates behind a proxy too): the certificate verified by OUR TLS socket against our device
 * CA, or — only when the socket's peer is a configured trusted proxy — the URL-encoded PEM the
 * proxy forwards in `X-Client-Cert`. A header from anyone else is ignored, so a client cannot
 * claim a certificate it does not hold.
 *
 * Node 24 (OpenSSL 3.5) verifies ML-DSA client certificates in the TLS 1.3 handshake, so
 * `socket.authorized` is trustworthy for every algorithm our CA issues.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Longest forwarded PEM accepted (an ML-DSA-87 certificate is about 10 KB of PEM). */
const MAX_FORWARDED_PEM = 32_768;

function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function derToPem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

function forwardedPem(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header === '' || header.length > MAX_FORWARDED_PEM * 3) return undefined;
  let pem: string;
  try {
    pem = decodeURIComponent(header);
  } catch {
    return undefined;
  }
  if (pem.length > MAX_FORWARDED_PEM) return undefined;
  return /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/.test(
    `${pem.trim()}\n`,
  )
    ? pem
    : undefined;
}

/**
 * True when `remoteAddress` is one of `trustedProxies` (IPv4-mapped IPv6 compared as IPv4).
 *
 * @throws never
 * @example
 * ```ts
 * isTrustedProxy('::ffff:10.0.0.5', ['10.0.0.5']); // true
 * ```
 */
export function isTrustedProxy(
  remoteAddress: string | undefined,
  trustedProxies: readonly string[],
): boolean {
  const address = normalizeAddress(remoteAddress);
  return address !== undefined && trustedProxies.some((proxy) => normalizeAddress(proxy) === address);
}

/**
 * The PEM of the verified client certificate of `raw`, or undefined.
 *
 * @throws never
 * @example
 * ```ts
 * const pem = peerCertificateOf(request.raw, { trustedProxies: config.trustedProxies });
 * ```
 */
export function peerCertificateOf(
  raw: IncomingMessage,
  options: { trustedProxies: readonly string[] },
): string | undefined {
  const socket = raw.socket as Partial<TLSSocket> | undefined;
  if (
    socket?.encrypted === true &&
    socket.authorized === true &&
    typeof socket.getPeerCertificate === 'function'
  ) {
    const der = socket.getPeerCertificate(true)?.raw;
    if (der !== undefined && der.length > 0) return derToPem(der);
  }
  if (isTrustedProxy(socket?.remoteAddress, options.trustedProxies)) {
    return forwardedPem(raw.headers['x-client-cert']);
  }
  return undefined;
}
