/**
 * Internal: orderly shutdown of a composed runtime. Closing the store clients while requests are
 * in flight leaves the engine (dynalite, in this process) finishing writes against a database
 * that is about to close: it then throws "Database is closed" from a callback, which nothing can
 * catch, and the process dies. So `close()` first stops new use-case calls and waits for the
 * running ones, then stops new store calls and waits for the remaining ones (writes nobody
 * awaits), and only then may the caller release clients and stop engines. Refused calls reject
 * with `StoreUnavailableError`, the answer a caller already handles for a store outage.
 */
import { type Stores, StoreUnavailableError } from '@city/ports';
import type { AuthService } from '@city/registration-core';

/** Service methods that touch no store: they keep answering after close. */
const STORE_FREE_METHODS: ReadonlySet<string> = new Set(['jwks', 'caCertificatePem']);

const PORT_NAMES = [
  'users',
  'devices',
  'pairingTokens',
  'challenges',
  'refreshTokens',
  'revocations',
  'certificateRevocations',
  'counters',
  'audit',
  'certificates',
  'notifier',
  'deployment',
] as const satisfies readonly (keyof Stores)[];

type AnyFunction = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Counts calls in flight; once closed, refuses new ones. */
class InFlight {
  private pending = 0;
  private closed = false;
  private idle: (() => void) | undefined;
  private readonly settle = (): void => {
    this.pending -= 1;
    if (this.pending === 0) this.idle?.();
  };

  constructor(private readonly refusal: string) {}

  call(target: object, method: AnyFunction, args: unknown[]): unknown {
    if (this.closed) return Promise.reject(new StoreUnavailableError(this.refusal));
    const result = method.apply(target, args);
    if (!isThenable(result)) return result;
    this.pending += 1;
    result.then(this.settle, this.settle);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A call that was running may have started others before it settled: the count covers them too.
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
    });
  }
}

/** Guards one runtime's service and stores; see the module comment. */
export interface CloseGate {
  readonly auth: AuthService;
  readonly stores: Stores;
  /** Refuses new calls and resolves when none is in flight; call before releasing the stores. */
  drain(): Promise<void>;
}

export function closeGate(stores: Stores, createService: (stores: Stores) => AuthService): CloseGate {
  const serviceCalls = new InFlight('the auth service is closed');
  const storeCalls = new InFlight('the data store is closed');

  const guardedPort = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => storeCalls.call(target, value as AnyFunction, args);
      },
    });
  const guardedStores = { ...stores } as Record<string, unknown>;
  for (const name of PORT_NAMES) guardedStores[name] = guardedPort(stores[name]);
  // A method on an adapter's prototype is not copied by the spread above; it is synchronous and
  // cheap, so it is passed through (use-case calls are refused by the service gate after close).
  if (typeof stores.authStateVersion === 'function') {
    guardedStores.authStateVersion = stores.authStateVersion.bind(stores);
  }
  const gatedStores = guardedStores as unknown as Stores;

  const service = createService(gatedStores);
  const gatedService = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(service)) {
    gatedService[name] =
      typeof value !== 'function' || STORE_FREE_METHODS.has(name)
        ? value
        : (...args: unknown[]) => serviceCalls.call(service, value as AnyFunction, args);
  }

  let drained: Promise<void> | undefined;
  return {
    auth: gatedService as unknown as AuthService,
    stores: gatedStores,
    drain: () => {
      drained ??= (async () => {
        await serviceCalls.close();
        await storeCalls.close();
      })();
      return drained;
    },
  };
}
