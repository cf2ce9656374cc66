/**
 * Guess throttling for password checks (login and pairing), per OWASP Authentication Cheat Sheet
 * "account lockout", in the shared CounterStore so every API instance sees the same counts.
 *
 * - A guess is counted *before* its password is verified, with the store's atomic increment, so
 *   however many arrive at once, at most `free + 1` are verified before the lock: the first `free`
 *   counts pass, and past them exactly one guess per lock period passes (it claims the period with
 *   an atomic increment of a slot counter named after the lock it saw, and locks the key for the
 *   next backoff before its password is checked; a success clears the key).
 * - Guesses count per account whatever identifier named it (username, email, uuid); an identifier
 *   that names no account is counted under a key of its own, with the same store work, so a
 *   lockout never tells whether an account exists.
 * - A login carrying a valid signature or mTLS proof of an active device of the account is counted
 *   per device against `deviceFreeAttempts` instead: a stranger, who lacks the device key, cannot
 *   lock the owner out by guessing.
 * - Failures also count per client address (locked past `ipMaxFailures`), and per account for the
 *   security alert.
 * Every key is an HMAC under the server's counter key: no identifier, uuid or address can be read
 * back from the store or recovered by hashing guesses.
 */
import { AuthError } from '../auth-error.js';
import { audit, counterKeyHash, notify, type ServiceContext } from './_service-context.js';

/** The counter keys of one attempt. */
export interface ThrottleKeys {
  /** Password guesses of the account (or of the identifier, when it names none). */
  readonly guesses: string;
  readonly ip?: string | undefined;
  /** Failures of the account (or identifier) in the window, for the security alert. */
  readonly alert: string;
  /** Free guesses before backoff under `guesses`. */
  readonly free: number;
}

/** What the attempt is counted against: an account, an identifier naming none, or a proven device. */
export type GuessSubject =
  | { readonly kind: 'account'; readonly userUuid: string }
  | { readonly kind: 'identifier'; readonly identifier: string }
  | { readonly kind: 'device'; readonly userUuid: string; readonly deviceId: string };

export function throttleKeys(
  ctx: ServiceContext,
  subject: GuessSubject,
  ip: string | undefined,
): ThrottleKeys {
  const policy = ctx.config.lockout;
  const owner =
    subject.kind === 'identifier'
      ? `identifier:${subject.identifier.normalize('NFKC').trim().toLowerCase()}`
      : `account:${subject.userUuid}`;
  const guesses =
    subject.kind === 'device'
      ? `auth-fail:device:${counterKeyHash(ctx, 'device', `${subject.userUuid}/${subject.deviceId}`)}`
      : `auth-fail:account:${counterKeyHash(ctx, 'account', owner)}`;
  return {
    guesses,
    ip: ip === undefined || ip === '' ? undefined : `auth-fail:ip:${counterKeyHash(ctx, 'ip', ip)}`,
    alert: `auth-fail:alert:${counterKeyHash(ctx, 'alert', owner)}`,
    free: subject.kind === 'device' ? policy.deviceFreeAttempts : policy.accountFreeAttempts,
  };
}

/** A guess {@link admitGuess} let through: the lock-period slot it claimed, if it needed one. */
export interface Admission {
  readonly slot: string | undefined;
}

/** Throws TOO_MANY_ATTEMPTS when the client address is locked now. */
export async function assertAddressNotLocked(ctx: ServiceContext, ip: string | undefined): Promise<void> {
  if (ip === undefined || ip === '') return;
  const now = ctx.clock.now();
  const state = await ctx.stores.counters.get(`auth-fail:ip:${counterKeyHash(ctx, 'ip', ip)}`, now);
  if (state?.lockedUntil !== undefined && state.lockedUntil > now) {
    throw new AuthError('TOO_MANY_ATTEMPTS', undefined, {
      retryAfterSeconds: secondsUntil(state.lockedUntil, now),
    });
  }
}

/**
 * Counts one guess under `keys.guesses` before its password is verified; throws ACCOUNT_LOCKED
 * (with the time left) when the guess may not be verified now. Past the free guesses the key is
 * locked for the next backoff before this guess is verified; {@link recordSuccess} clears it.
 */
export async function admitGuess(
  ctx: ServiceContext,
  keys: ThrottleKeys,
  attempt: { userUuid?: string | undefined; ip?: string | undefined; operation: string },
): Promise<Admission> {
  const policy = ctx.config.lockout;
  const counters = ctx.stores.counters;
  const windowMs = policy.windowSeconds * 1000;
  const now = ctx.clock.now();
  const seen = await counters.get(keys.guesses, now);
  if (seen?.lockedUntil !== undefined && seen.lockedUntil > now) throw locked(seen.lockedUntil, now);
  const counted = await counters.increment(keys.guesses, now, windowMs);
  if (counted.lockedUntil !== undefined && counted.lockedUntil > now) throw locked(counted.lockedUntil, now);
  if (counted.count <= keys.free) return { slot: undefined };
  const seconds = backoffSeconds(ctx, counted.count - keys.free);
  // One guess per lock period: the first to count under this period's slot (named after the
  // window and the lock it saw) goes on, the rest wait.
  const slot = `${keys.guesses}:after:${counted.windowStart}:${counted.lockedUntil ?? 0}`;
  const claimed = await counters.increment(slot, now, windowMs);
  if (claimed.count > 1) throw locked(now + Math.max(seconds, 1) * 1000, now);
  await counters.lock(keys.guesses, now + seconds * 1000);
  if (seconds > 0) {
    await audit(ctx, {
      type: 'lockout',
      userUuid: attempt.userUuid,
      ip: attempt.ip,
      reason: 'account_backoff',
      detail: { failures: counted.count - 1, lockSeconds: seconds, operation: attempt.operation },
    });
  }
  return { slot };
}

/**
 * Counts one failed attempt per client address (locking it past its limit) and per account for
 * the security alert, raised when a known account's failures reach the threshold. The guess
 * itself was already counted by {@link admitGuess}.
 */
export async function recordFailure(
  ctx: ServiceContext,
  keys: ThrottleKeys,
  failure: { userUuid?: string | undefined; ip?: string | undefined; reason: string; operation: string },
): Promise<void> {
  const policy = ctx.config.lockout;
  const windowMs = policy.windowSeconds * 1000;
  const now = ctx.clock.now();
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
    const perUser = await ctx.stores.counters.increment(keys.alert, now, windowMs);
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

/** Clears the guess counter (and the slot it claimed) after a success; the address and alert counters stay. */
export async function recordSuccess(
  ctx: ServiceContext,
  keys: ThrottleKeys,
  admission: Admission,
): Promise<void> {
  await ctx.stores.counters.reset(keys.guesses);
  if (admission.slot !== undefined) await ctx.stores.counters.reset(admission.slot);
}

/** Lock length after the `beyond`-th guess past the free ones: base, doubled each time, capped. */
function backoffSeconds(ctx: ServiceContext, beyond: number): number {
  const policy = ctx.config.lockout;
  const exponent = Math.min(Math.max(beyond - 1, 0), 30);
  return Math.min(policy.baseLockSeconds * 2 ** exponent, policy.maxLockSeconds);
}

function locked(until: number, now: number): AuthError {
  return new AuthError('ACCOUNT_LOCKED', undefined, { retryAfterSeconds: secondsUntil(until, now) });
}

function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
