/** The options and the result shared by the access and refresh token signers. */

/** Options shared by `signAccessToken` and `signRefreshToken`. */
export interface SignTokenOptions {
  issuer: string;
  audience: string;
  /** Lifetime in seconds (access default 900, refresh default 30 days). */
  ttlSeconds?: number;
  /** Issue time; default the current clock. */
  now?: Date;
  /** Token id; default 128 random bits, base64url. */
  jti?: string;
}

/** A signed token with its id and expiry. */
export interface SignedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}
