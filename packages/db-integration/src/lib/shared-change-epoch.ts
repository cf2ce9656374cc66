/**
 * `authStateVersion()` for stores that several service instances share over the network
 * (DynamoDB, MongoDB), so each instance can keep an access cache and still honour a revocation
 * made by another instance within a stated bound.
 *
 * A single counter in the store (the change epoch) moves on every write that can end or change an
 * authorization already granted: a user update (disable, roles, password, email), a device added,
 * revoked or re-certified, a session (refresh family) revoked, a token id or a certificate revoked.
 * Session creation and rotation do not move it (they never withdraw anything), so ordinary
 * sign-ins and refreshes keep every instance's cache warm.
 *
 * Each such write moves the epoch before and after it: the first move ends what other instances
 * cached before the write began, the second what they cached while it ran. A write is answered
 * only after the second move; if that move fails the caller gets the store error (the change is
 * saved, the answer is not an acknowledgement, a retry is safe) and the first move has already
 * ended what was cached before.
 *
 * Every instance reads the epoch every {@link SHARED_CHANGE_POLL_MS} ms (one strongly consistent
 * read, not one per request). `authStateVersion()` is this instance's own write count plus a
 * generation that moves whenever the epoch read differs from the last one, so a value never comes
 * back. When no read has succeeded for {@link SHARED_CHANGE_MAX_STALENESS_MS} ms (engine down,
 * network split, or before the first read), it answers a value never seen before on every call:
 * no cached answer is given and every request goes to the store (which then reports its own
 * failure). Bound: an acknowledged change made through another instance is honoured by this one
 * at most {@link SHARED_CHANGE_MAX_STALENESS_MS} ms after it was acknowledged (usually within one
 * poll interval plus one read); a change made through this instance, at once.
 */
import { type Stores, StoreUnavailableError } from '@city/ports';

/** The store's change epoch. */
export interface ChangeEpoch {
  /** The current value, read with strong consistency. */
  read(): Promise<string>;
  /** Moves the value atomically (any writer on any instance). */
  bump(): Promise<void>;
}

/** How often an instance reads the shared epoch. */
export const SHARED_CHANGE_POLL_MS = 250;
/** How long after the start of the last successful read cached answers may still be given. */
export const SHARED_CHANGE_MAX_STALENESS_MS = 1_000;

export interface SharedChangeEpochOptions {
  readonly pollMs?: number | undefined;
  readonly maxStalenessMs?: number | undefined;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly now?: (() => number) | undefined;
}

type Method = (...args: never[]) => Promise<unknown>;

/** `target` with the named methods replaced; every other member is the target's own (bound). */
function overriding<T extends object>(target: T, overrides: Partial<Record<keyof T, Method>>): T {
  return new Proxy(target, {
    get(object, property) {
      const own = (overrides as Record<PropertyKey, Method | undefined>)[property];
      if (own !== undefined) return own;
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as Method).bind(object) : value;
    },
  });
}

/**
 * `stores` with `authStateVersion()` backed by `epoch`, and every write that can withdraw an
 * authorization moving the epoch around it. `close()` stops the reads, then closes `stores`.
 */
export function withSharedChangeEpoch<S extends Stores>(
  stores: S,
  epoch: ChangeEpoch,
  options: SharedChangeEpochOptions = {},
): S & { readonly authStateVersion: () => string } {
  const pollMs = options.pollMs ?? SHARED_CHANGE_POLL_MS;
  const maxStalenessMs = options.maxStalenessMs ?? SHARED_CHANGE_MAX_STALENESS_MS;
  const now = options.now ?? (() => performance.now());
  let localWrites = 0;
  let generation = 0;
  let lastEpoch: string | undefined;
  let lastGoodReadStart = Number.NEGATIVE_INFINITY;
  let unconfirmed = 0;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let closed = false;

  const poll = async (): Promise<void> => {
    const start = now();
    try {
      const value = await epoch.read();
      if (value !== lastEpoch) {
        lastEpoch = value;
        generation += 1;
      }
      lastGoodReadStart = start;
    } catch {
      // Counted as staleness: after maxStalenessMs without a good read nothing is served from cache.
    }
    if (!closed) {
      timer = setTimeout(() => void poll(), pollMs);
      timer.unref();
    }
  };

  const authStateVersion = (): string => {
    if (closed) throw new StoreUnavailableError('the stores are closed');
    if (!started) {
      started = true;
      void poll();
    }
    if (now() - lastGoodReadStart > maxStalenessMs) {
      unconfirmed += 1;
      return `unconfirmed.${unconfirmed}`;
    }
    return `${localWrites}.${generation}`;
  };

  /** Wraps a write: epoch moved before (nothing written if that fails) and after it. */
  const announced =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await epoch.bump();
      localWrites += 1;
      const result = await write(...args);
      localWrites += 1;
      await epoch.bump();
      return result;
    };

  const { users, devices, refreshTokens, revocations, certificateRevocations } = stores;
  // The compositions are plain objects (spread keeps every member); the stores inside are class
  // instances, wrapped member by member.
  return {
    ...stores,
    users: overriding(users, { update: announced(users.update.bind(users)) }),
    devices: overriding(devices, {
      create: announced(devices.create.bind(devices)),
      revoke: announced(devices.revoke.bind(devices)),
      replaceCertificate: announced(devices.replaceCertificate.bind(devices)),
    }),
    refreshTokens: overriding(refreshTokens, { revoke: announced(refreshTokens.revoke.bind(refreshTokens)) }),
    revocations: overriding(revocations, { revoke: announced(revocations.revoke.bind(revocations)) }),
    certificateRevocations: overriding(certificateRevocations, {
      add: announced(certificateRevocations.add.bind(certificateRevocations)),
    }),
    authStateVersion,
    close: async (): Promise<void> => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await stores.close();
    },
  };
}
