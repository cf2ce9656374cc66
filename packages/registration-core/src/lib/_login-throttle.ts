/**
 * Failure throttling for password checks (login and pairing), per OWASP Authentication Cheat
 * Sheet "account lockout": counters live in the shared CounterStore so every API instance sees
 * them. Keys are derived from the identifier as typed (hashed, so no PII in counter keys) — the
 * same for known and unknown accounts, so a lockout never tells whether an account exists.
 * A failure also counts per account (for the security alert); for an identifier that names no
 * account the same increment goes to a decoy key (a keyed hash of the identifier, so nothing
 * about the identifier can be read back), so both cases do identical store work.
 */
import { AuthError } from '../auth-error.js';
import { audit, notify, type ServiceContext, sha256Hex } from './_service-context.js';

export interface ThrottleKeys {
  readonly identifier: string;
  readonly ip?: string | undefined;
  /** Per-account key used when the identifier names no account (equal work, see above). */
  readonly decoyUser: string;
}

export function throttleKeys(ctx: ServiceContext, identifier: string, ip: string | undefined): ThrottleKeys {
  const canonical = identifier.normalize('NFKC').trim().toLowerCase();
  return {
    identifier: `auth-fail:id:${sha256Hex(canonical)}`,
    ip: ip === undefined || ip === '' ? undefined : `auth-fail:ip:${sha256Hex(ip)}`,
    decoyUser: `auth-fail:user:~${ctx.cipher.blindIndex('auth-fail-decoy', canonical)}`,
  };
}

/**
 * Throws TOO_MANY_ATTEMPTS / ACCOUNT_LOCKED when a key is locked now; returns whether the
 * identifier has recent failures (so a success only writes a reset when there is one).
 */
export async function assertNotLocked(ctx: ServiceContext, keys: ThrottleKeys): Promise<boolean> {
  const now = ctx.clock.now();
  if (keys.ip !== undefined) {
    const ip = await ctx.stores.counters.get(keys.ip, now);
    if (ip?.lockedUntil !== undefined && ip.lockedUntil > now) {
      throw new AuthError('TOO_MANY_ATTEMPTS', undefined, {
        retryAfterSeconds: secondsUntil(ip.lockedUntil, now),
      });
    }
  }
  const account = await ctx.stores.counters.get(keys.identifier, now);
  if (account?.lockedUntil !== undefined && account.lockedUntil > now) {
    throw new AuthError('ACCOUNT_LOCKED', undefined, {
      retryAfterSeconds: secondsUntil(account.lockedUntil, now),
    });
  }
  return account !== undefined;
}

/**
 * Counts one failure; locks the identifier with exponential backoff past the free attempts,
 * locks the IP past its limit, and raises a security alert when a known account's failures
 * reach the alert threshold.
 */
export async function recordFailure(
  ctx: ServiceContext,
  keys: ThrottleKeys,
  failure: { userUuid?: string | undefined; ip?: string | undefined; reason: string; operation: string },
): Promise<void> {
  const policy = ctx.config.lockout;
  const windowMs = policy.windowSeconds * 1000;
  const now = ctx.clock.now();
  const account = await ctx.stores.counters.increment(keys.identifier, now, windowMs);
  if (account.count > policy.accountFreeAttempts) {
    const exponent = Math.min(account.count - policy.accountFreeAttempts - 1, 30);
    const seconds = Math.min(policy.baseLockSeconds * 2 ** exponent, policy.maxLockSeconds);
    if (seconds > 0) {
      await ctx.stores.counters.lock(keys.identifier, now + seconds * 1000);
      await audit(ctx, {
        type: 'lockout',
        userUuid: failure.userUuid,
        ip: failure.ip,
        reason: 'account_backoff',
        detail: { failures: account.count, lockSeconds: seconds, operation: failure.operation },
      });
    }
  }
  if (keys.ip !== undefined) {
    const ip = await ctx.stores.counters.increment(keys.ip, now, windowMs);
    if (ip.count >= policy.ipMaxFailures && policy.ipLockSeconds > 0) {
      await ctx.stores.counters.lock(keys.ip, now + policy.ipLockSeconds * 1000);
      if (ip.count === policy.ipMaxFailures) {
        await audit(ctx, {
          type: 'lockout',
          ip: failure.ip,
          reason: 'ip_limit',
          detail: { failures: ip.count },
        });
      }
    }
  }
  if (policy.alertThreshold > 0) {
    const perUserKey = failure.userUuid === undefined ? keys.decoyUser : `auth-fail:user:${failure.userUuid}`;
    const perUser = await ctx.stores.counters.increment(perUserKey, now, windowMs);
    if (failure.userUuid !== undefined && perUser.count === policy.alertThreshold) {
      await audit(ctx, {
        type: 'security_alert',
        userUuid: failure.userUuid,
        ip: failure.ip,
        reason: 'failed_login_spike',
        detail: { failures: perUser.count, windowSeconds: policy.windowSeconds },
      });
      await notify(ctx, {
        type: 'security_alert',
        userUuid: failure.userUuid,
        data: { kind: 'failed_login_spike', failures: perUser.count, windowSeconds: policy.windowSeconds },
      });
    }
  }
}

/** Clears the identifier's counter after a success (the IP counter is left alone on purpose). */
export async function recordSuccess(ctx: ServiceContext, keys: ThrottleKeys): Promise<void> {
  await ctx.stores.counters.reset(keys.identifier);
}

function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
