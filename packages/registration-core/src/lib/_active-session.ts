/**
 * Internal: whether a session (refresh-token family, the access token's `sid`) is still live.
 * Every access token of a session dies with it — logout, RFC 7009 revocation of its refresh
 * token, refresh-token reuse, device revocation or its absolute expiry — not only the one issued
 * by the latest rotation. The family record is the shared truth every instance reads.
 */
import type { RefreshFamilyRecord } from '@city/ports';
import { AuthError } from '../auth-error.js';
import type { Principal } from '../auth-service.js';
import type { ServiceContext } from './_service-context.js';

/** True when `family` is the active, unexpired session of `userUuid` on `deviceId` at `now`. */
export function isLiveSession(
  family: RefreshFamilyRecord | undefined,
  userUuid: string,
  deviceId: string,
  now: number,
): boolean {
  return (
    family !== undefined &&
    family.status === 'active' &&
    family.userUuid === userUuid &&
    family.deviceId === deviceId &&
    now < family.expiresAt
  );
}

/**
 * Re-reads the principal's session before minting anything from it (pairing tokens, device
 * changes), so a principal obtained before its session ended cannot be used after.
 *
 * @throws AuthError `TOKEN_REVOKED`
 */
export async function assertLiveSession(ctx: ServiceContext, principal: Principal): Promise<void> {
  const family = await ctx.stores.refreshTokens.get(principal.sessionId);
  if (!isLiveSession(family, principal.userUuid, principal.deviceId, ctx.clock.now())) {
    throw new AuthError('TOKEN_REVOKED');
  }
}
