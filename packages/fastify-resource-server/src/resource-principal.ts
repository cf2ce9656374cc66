/** The caller a verified access token names. */

/**
 * The verified principal set on `request.cityPrincipal` by the plugin's guards.
 *
 * @example `request.cityPrincipal?.roles.includes('admin')`
 */
export interface ResourcePrincipal {
  /** The user's uuid (`sub`). */
  readonly userUuid: string;
  /** The device the session belongs to. */
  readonly deviceId: string;
  /** Roles carried by the token (unknown names grant nothing). */
  readonly roles: readonly string[];
  /** The session (`sid`), when the issuer tracks sessions (the API always does). */
  readonly sessionId: string | undefined;
  /** The token id (`jti`). */
  readonly tokenId: string;
  /** When the token expires (ISO 8601). */
  readonly expiresAt: string;
  /** True when the issuer confirmed the token as active by introspection for this request. */
  readonly introspected: boolean;
}
