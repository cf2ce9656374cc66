/**
 * Access-token authentication for every protected call: signature and claims (explicit
 * algorithm from the key's `kid`, `typ` access only, a lifetime within the configured access TTL), the shared revocation list (RFC 7009
 * revocations reach every instance), and the user, device and session (`sid`, the refresh-token
 * family) still active — so revoking a device, disabling a user or ending a session takes effect
 * at once for every access token of it, not at token expiry. With a store that reports
 * every change (`authStateVersion`), a token that passed all of that is remembered until the next
 * change of state or its expiry (see lib/_access-cache).
 */
import { verifyToken } from '@city/jwt';
import { AuthError } from '../auth-error.js';
import type { Principal } from '../auth-service.js';
import { isLiveSession } from '../lib/_active-session.js';
import { nowDate, type ServiceContext } from '../lib/_service-context.js';
import { tokenError } from './refresh-session.js';

export async function authenticateAccessToken(
  ctx: ServiceContext,
  accessToken: string | undefined,
): Promise<Principal> {
  if (typeof accessToken !== 'string' || accessToken === '') throw new AuthError('AUTHENTICATION_REQUIRED');
  const now = ctx.clock.now();
  const cached = ctx.accessCache.lookup(accessToken, now);
  if (cached !== undefined) return cached;
  // Read before the store reads below (see lib/_access-cache).
  const version = ctx.accessCache.currentVersion();
  let claims: {
    sub: string;
    deviceId: string;
    jti: string;
    iat: number;
    exp: number;
    nbf?: number | undefined;
    sid?: string | undefined;
  };
  try {
    const verified = await verifyToken(ctx.keys, accessToken, {
      typ: 'access',
      issuer: ctx.config.issuer,
      audience: ctx.config.audience,
      now: nowDate(ctx),
      clockToleranceSeconds: ctx.config.clockToleranceSeconds,
      // No access token we issue lives longer than the configured TTL.
      maxLifetimeSeconds: ctx.config.accessTokenTtlSeconds,
      isRevoked: (jti) => ctx.stores.revocations.isRevoked(jti, now),
    });
    claims = verified.claims;
  } catch (error) {
    throw tokenError(error);
  }
  if (typeof claims.sid !== 'string') throw new AuthError('TOKEN_INVALID');
  const [user, device, family] = await Promise.all([
    ctx.stores.users.getByUuid(claims.sub),
    ctx.stores.devices.get(claims.sub, claims.deviceId),
    ctx.stores.refreshTokens.get(claims.sid),
  ]);
  if (
    user === undefined ||
    user.status !== 'active' ||
    device === undefined ||
    device.status !== 'active' ||
    !isLiveSession(family, claims.sub, claims.deviceId, now)
  ) {
    throw new AuthError('TOKEN_REVOKED');
  }
  const principal: Principal = Object.freeze({
    userUuid: user.uuid,
    username: user.username,
    roles: Object.freeze([...user.roles]),
    deviceId: device.deviceId,
    sessionId: claims.sid,
    tokenId: claims.jti,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
  });
  if (version !== undefined) {
    // The window verifyToken accepts (whole seconds, tolerance on both sides), in milliseconds.
    const tolerance = ctx.config.clockToleranceSeconds;
    ctx.accessCache.remember(accessToken, {
      principal,
      user,
      version,
      validFromMs: (Math.max(claims.iat, claims.nbf ?? claims.iat) - tolerance) * 1000,
      // The session's absolute end bounds the entry too (a family expires without a write).
      validUntilMs: Math.min((claims.exp + tolerance) * 1000, family?.expiresAt ?? 0) - 1,
    });
  }
  return principal;
}
