/**
 * Internal: a total deadline per engine call and a circuit breaker, installed on an AWS SDK
 * client around its `send`, so they cover the SDK's whole middleware stack and retry loop.
 *
 * A frozen engine (process stopped by a signal, a hung host) still accepts TCP connections, so
 * each attempt waits its full request timeout and the SDK retries: 6-10 s per call before the
 * caller hears anything. The deadline bounds a whole call, retries included; when it passes the
 * call's abort signal (`send(command, { abortSignal })`) fires, which cancels the attempt in flight
 * (the HTTP handler closes its connection) and stops the retry loop, and the caller gets
 * `StoreUnavailableError`. The breaker then opens: while it is open every call fails at once,
 * without touching the network, with `retryAfterSeconds` set to the time left. After that one
 * probe call is let through; its success closes the breaker, its failure opens it again. Calls
 * that end without an answer from the engine (refused or reset connections, timeouts) count as
 * failures, and `failureThreshold` of them in a row open the breaker too; any answer from the
 * engine, an error answer included, closes it. A failure opens the breaker only when the engine
 * answered no call at all since the failed call began: an engine that is slow under a burst but
 * still answering fails the calls that outlive the deadline, never the ones behind them. A
 * caller's own abort signal still works: it is combined with the deadline's.
 */
import { StoreUnavailableError } from '@city/ports';

/** Settings of {@link guardEngineCalls}. */
export interface EngineGuardOptions {
  /** What the engine is, for messages (`the data store`). */
  readonly label: string;
  /** Longest time one call may take, retries included. */
  readonly deadlineMs: number;
  /** How long the breaker stays open before a probe. */
  readonly openMs: number;
  /** Calls in a row without an answer that open the breaker. */
  readonly failureThreshold: number;
  readonly now?: (() => number) | undefined;
}

/** The options of an SDK v3 client's `send` this guard uses (the rest are passed on). */
interface SendOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** The promise form of an SDK v3 client's `send` (typed loosely: each client types its own commands). */
type Send = (command: never, options?: SendOptions) => Promise<unknown>;

/** Any SDK v3 client: its `send` is what the guard wraps. */
interface SendingClient {
  send: unknown;
}

/** True when the call ended with an answer from the engine (an HTTP status), error answers included. */
function engineAnswered(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status < 500;
}

class DeadlineExceeded extends Error {}

/** The breaker's state, shared by every call of one client. */
export class EngineBreaker {
  #failures = 0;
  #openUntil = 0;
  #probing = false;
  /** When the engine last answered any call (an error answer included). */
  #lastAnswerAt = 0;
  readonly #now: () => number;

  constructor(private readonly options: EngineGuardOptions) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** Refuses the call when open (or while a probe is out); else admits it, as the probe when due. */
  admit(): { probe: boolean; startedAt: number } {
    const now = this.#now();
    if (this.#openUntil === 0) return { probe: false, startedAt: now };
    if (now < this.#openUntil || this.#probing) {
      const left = now < this.#openUntil ? this.#openUntil - now : this.options.openMs;
      throw new StoreUnavailableError(
        `${this.options.label} is not answering; calls are refused for a moment (retry in ${Math.ceil(left / 1000)} s)`,
        { retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) },
      );
    }
    this.#probing = true;
    return { probe: true, startedAt: now };
  }

  succeeded(probe: boolean): void {
    if (probe) this.#probing = false;
    this.#lastAnswerAt = this.#now();
    this.#failures = 0;
    this.#openUntil = 0;
  }

  failed(probe: boolean, deadline: boolean, startedAt: number): void {
    if (probe) this.#probing = false;
    // Another call got an answer meanwhile: the engine is slow, not gone.
    if (this.#lastAnswerAt > startedAt) return;
    this.#failures += 1;
    if (probe || deadline || this.#failures >= this.options.failureThreshold) {
      this.#openUntil = this.#now() + this.options.openMs;
    }
  }
}

/**
 * Installs the deadline and the breaker on `client` (one breaker per client) by wrapping its
 * `send`; only the promise form of `send` is supported.
 *
 * @throws never; the guarded calls throw {@link StoreUnavailableError}, and `TypeError` for a callback
 */
export function guardEngineCalls(client: SendingClient, options: EngineGuardOptions): EngineBreaker {
  const breaker = new EngineBreaker(options);
  const send = (client.send as Send).bind(client);
  const guarded = async (command: never, sendOptions?: SendOptions): Promise<unknown> => {
    if (typeof sendOptions === 'function') {
      throw new TypeError('"options" expected send options, got a callback: guarded clients return promises');
    }
    const { probe, startedAt } = breaker.admit();
    const controller = new AbortController();
    const callerSignal = sendOptions?.abortSignal;
    const abortSignal =
      callerSignal === undefined ? controller.signal : AbortSignal.any([callerSignal, controller.signal]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Rejected first, so the race reports the deadline rather than the abort it causes.
        reject(new DeadlineExceeded());
        controller.abort();
      }, options.deadlineMs);
    });
    try {
      const result = await Promise.race([send(command, { ...sendOptions, abortSignal }), deadline]);
      breaker.succeeded(probe);
      return result;
    } catch (error) {
      if (error instanceof DeadlineExceeded) {
        breaker.failed(probe, true, startedAt);
        throw new StoreUnavailableError(`${options.label} did not answer within ${options.deadlineMs} ms`, {
          retryAfterSeconds: Math.max(1, Math.ceil(options.openMs / 1000)),
        });
      }
      if (engineAnswered(error)) breaker.succeeded(probe);
      else breaker.failed(probe, false, startedAt);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  Object.defineProperty(client, 'send', { value: guarded, configurable: true, writable: true });
  return breaker;
}
