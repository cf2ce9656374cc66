/**
 * RFC 7009 token revocation. Accepts an access or refresh token (with an optional
 * `token_type_hint`) and always resolves — for valid, invalid, expired, foreign or garbage input
 * alike (RFC 7009 §2.2) — so the endpoint is no oracle for token validity. A refresh token
 * revokes its whole family; an access token goes on the shared denylist until it expires.
 */
import { verifyToken } from '@city/jwt';
import type { RequestContext } from '../auth-service.js';
import { ignoreNotFound } from '../lib/_port-errors.js';
import { audit, nowDate, revokeFamily, type ServiceContext } from '../lib/_service-context.js';

export async function revokeToken(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<void> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const token = (input as Record<string, unknown>).token;
  const hint = (input as Record<string, unknown>).token_type_hint;
  if (typeof token !== 'string' || token === '' || token.length > 16_384) return;
  const order: ('access' | 'refresh')[] =
    hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh'];
  for (const typ of order) {
    let claims: { sub: string; jti: string; exp: number; familyId?: string | undefined; deviceId: string };
    try {
      claims = (
        await verifyToken(ctx.keys, token, {
          typ,
          issuer: ctx.config.issuer,
          audience: ctx.config.audience,
          now: nowDate(ctx),
          clockToleranceSeconds: ctx.config.clockToleranceSeconds,
        })
      ).claims;
    } catch {
      continue;
    }
    if (typ === 'access') {
      await ctx.stores.revocations.revoke(claims.jti, claims.exp * 1000);
    } else {
      const family =
        claims.familyId === undefined ? undefined : await ctx.stores.refreshTokens.get(claims.familyId);
      if (family === undefined || family.userUuid !== claims.sub) return;
      // RFC 7009: revoking something already gone is still success.
      if (family.status === 'active')
        await ignoreNotFound(() => revokeFamily(ctx, family, 'revoked_by_client'));
    }
    await audit(ctx, {
      type: 'token_revoked',
      userUuid: claims.sub,
      deviceId: claims.deviceId,
      ip: request.ip,
      detail: { tokenType: typ },
    });
    return;
  }
}
