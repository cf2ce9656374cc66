/**
 * Logout: the presented access token and the whole session (refresh family, with the access
 * token issued by its latest rotation) are revoked. Other devices' sessions are untouched.
 */
import { NotFoundError } from '@city/ports';
import type { Principal, RequestContext } from '../auth-service.js';
import { audit, revokeFamily, type ServiceContext } from '../lib/_service-context.js';

export async function logoutSession(
  ctx: ServiceContext,
  principal: Principal,
  request: RequestContext = {},
): Promise<void> {
  await ctx.stores.revocations.revoke(principal.tokenId, Date.parse(principal.expiresAt));
  const family = await ctx.stores.refreshTokens.get(principal.sessionId);
  if (family !== undefined && family.userUuid === principal.userUuid) {
    try {
      await revokeFamily(ctx, family, 'logout');
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  await audit(ctx, {
    type: 'logout',
    userUuid: principal.userUuid,
    deviceId: principal.deviceId,
    ip: request.ip,
    detail: { sessionId: principal.sessionId },
  });
}
