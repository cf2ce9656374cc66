/**
 * Internal: `MYNUMBER_TAKEN` tells a caller that a national ID number is registered, so those
 * answers are rationed, audited and reported to the number's owner. Each answer counts per client
 * address and per number (keyed HMACs, no number or address in a key); once either reaches
 * `mynumberConflictLimit` within `mynumberLockSeconds`, every registration carrying a My Number from
 * that address, or carrying that number, is refused with TOO_MANY_ATTEMPTS before any work — so a
 * prober learns at most a handful of numbers a day per address, and nothing more about a number
 * already probed. Every answer is audited (`security_alert`, reason `mynumber_registration_attempt`,
 * under the owner's uuid) and the owner is notified.
 */
import { AuthError } from '../auth-error.js';
import { audit, counterKeyHash, notify, type ServiceContext } from './_service-context.js';

function keys(ctx: ServiceContext, ip: string | undefined, mynumberIndex: string): string[] {
  const number = `mynumber-taken:number:${counterKeyHash(ctx, 'mynumber', mynumberIndex)}`;
  return ip === undefined || ip === ''
    ? [number]
    : [`mynumber-taken:ip:${counterKeyHash(ctx, 'ip', ip)}`, number];
}

/** Throws TOO_MANY_ATTEMPTS when the address or the number has used up its conflict answers. */
export async function assertMynumberProbeAllowed(
  ctx: ServiceContext,
  ip: string | undefined,
  mynumberIndex: string,
): Promise<void> {
  const now = ctx.clock.now();
  for (const key of keys(ctx, ip, mynumberIndex)) {
    const state = await ctx.stores.counters.get(key, now);
    if (state?.lockedUntil !== undefined && state.lockedUntil > now) {
      throw new AuthError('TOO_MANY_ATTEMPTS', undefined, {
        retryAfterSeconds: Math.max(1, Math.ceil((state.lockedUntil - now) / 1000)),
      });
    }
  }
}

/** Counts one MYNUMBER_TAKEN answer, locks past the limit, audits it and alerts the owner. */
export async function recordMynumberConflict(
  ctx: ServiceContext,
  ip: string | undefined,
  mynumberIndex: string,
): Promise<void> {
  const policy = ctx.config.lockout;
  const windowMs = policy.mynumberLockSeconds * 1000;
  const now = ctx.clock.now();
  if (windowMs > 0) {
    for (const key of keys(ctx, ip, mynumberIndex)) {
      const state = await ctx.stores.counters.increment(key, now, windowMs);
      if (state.count >= policy.mynumberConflictLimit) await ctx.stores.counters.lock(key, now + windowMs);
    }
  }
  const owner = await ctx.stores.users.getByMynumberIndex(mynumberIndex);
  await audit(ctx, {
    type: 'security_alert',
    userUuid: owner?.uuid,
    ip,
    reason: 'mynumber_registration_attempt',
  });
  if (owner !== undefined) {
    await notify(ctx, {
      type: 'security_alert',
      userUuid: owner.uuid,
      data: { kind: 'mynumber_registration_attempt' },
    });
  }
}
