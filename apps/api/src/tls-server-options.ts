/**
 * HTTPS server options (RFC 8446 TLS 1.3 only) with optional mutual TLS against our device CA.
 * The hybrid post-quantum group X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem) is offered first when
 * the runtime's OpenSSL knows it (3.5+); otherwise the classical groups alone, so start-up never
 * fails on an older runtime.
 */
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsConfig } from './config.js';

/** Options for `https.createServer` / Fastify's `https` option. */
export interface TlsServerOptions extends SecureContextOptions {
  readonly requestCert: boolean;
  readonly rejectUnauthorized: false;
  readonly minVersion: 'TLSv1.3';
  /** The group list actually configured (after any fallback). */
  readonly ecdhCurve: string;
}

function groupsSupported(groups: string): boolean {
  try {
    createSecureContext({ ecdhCurve: groups, minVersion: 'TLSv1.3' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the HTTPS options: our certificate, TLS 1.3, the requested groups minus any the runtime
 * lacks, and — in mTLS mode — `requestCert` with our CA as the only trust anchor. Unauthorised
 * client certificates do not abort the handshake (`rejectUnauthorized: false`): such requests
 * simply carry no device proof.
 *
 * @throws {Error} when none of the requested groups is supported
 * @example
 * ```ts
 * const https = tlsServerOptions(config.tls, auth.caCertificatePem());
 * ```
 */
export function tlsServerOptions(tls: TlsConfig, caCertificatePem: string): TlsServerOptions {
  let groups = tls.groups;
  if (!groupsSupported(groups)) {
    groups = groups
      .split(':')
      .filter((group) => groupsSupported(group))
      .join(':');
    if (groups === '') throw new Error(`none of the TLS groups "${tls.groups}" is supported by this runtime`);
  }
  return {
    cert: tls.certPem,
    key: tls.keyPem,
    minVersion: 'TLSv1.3',
    ecdhCurve: groups,
    requestCert: tls.requestClientCertificate,
    rejectUnauthorized: false,
    ...(tls.requestClientCertificate ? { ca: [caCertificatePem] } : {}),
  };
}
