/**
 * A Notifier that never fails the caller: it delivers through a transport (SNS) when one is
 * configured, and otherwise — or when delivery fails — appends the notification to `outbox.jsonl`
 * (one JSON object per line, fsynced) in its directory. `flushOutbox()` (and the optional periodic
 * retry) re-delivers queued entries, records each delivered one in `delivered.jsonl`, and rewrites
 * the outbox with what is still pending (write to a temporary file, fsync, rename: a crash leaves
 * either the old or the new file).
 *
 * Bounded on disk: each of the two files holds at most `maxBytes` (default
 * {@link DEFAULT_OUTBOX_MAX_BYTES}, `CITY_OUTBOX_MAX_BYTES`). When an append would take a file past
 * it, the file first moves to its one previous generation (`outbox.1.jsonl`, `delivered.1.jsonl`),
 * replacing the older one, so each stays under twice the bound (plus the lines appended while a
 * rotation runs). `pending()` and `flushOutbox()` read both generations, so nothing queued is
 * missed while it is kept (delivery is at least once; entries carry their notification's id). The
 * undelivered entries of an overwritten previous generation are the one loss, and it is reported:
 * `onError` receives an error with their count (`dropped`). Delivery records rotate the same way,
 * without a report (they describe deliveries that happened).
 *
 * Several processes may append to one directory (the API's worker mode). The size checked is that
 * of the open handle (`fstat` after opening for append), and a rotation runs under a lock file
 * (`<file>.lock`, created exclusively; one older than {@link ROTATION_LOCK_STALE_MS} is left from a
 * crash and taken over) and only if the file at the path is still the one that was measured, so two
 * processes that both find the file full rotate it once, never twice. A line a slower process
 * writes through a handle opened before the rotation lands in the previous generation, where it is
 * still read. Without a transport nothing ever rewrites the outbox; with one, the aws and mongodb
 * modes run one process.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notification, Notifier } from '@city/ports';
import type { NotificationTransport } from './notification-transport.js';

/** Options of {@link OutboxNotifier}. */
export interface OutboxNotifierOptions {
  /** Directory of `outbox.jsonl` and `delivered.jsonl` (created if missing). */
  readonly dir: string;
  /** Where to deliver; without one every notification stays in the outbox. */
  readonly transport?: NotificationTransport | undefined;
  /**
   * Called when even the outbox cannot be written (disk full...), and when a rotation overwrote
   * undelivered entries (an error with `dropped`, their count): the only place those show.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Largest size in bytes of each file before it moves to its previous generation (default 64 MiB). */
  readonly maxBytes?: number | undefined;
}

/** Each outbox file moves to its previous generation before an append would take it past this (64 MiB). */
export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;

/** A rotation lock file older than this (ms) was left by a process that died holding it. */
const ROTATION_LOCK_STALE_MS = 30_000;
/** How often and how long an append waits for another process's rotation before appending anyway. */
const ROTATION_LOCK_TRIES = 50;
const ROTATION_LOCK_WAIT_MS = 10;

/** One outbox line. */
export interface OutboxEntry {
  readonly notification: Notification;
  readonly queuedAt: number;
  readonly attempts: number;
  readonly lastError?: string | undefined;
}

/** What a flush did. */
export interface FlushResult {
  readonly delivered: number;
  readonly pending: number;
}

/** One file of the outbox and its previous generation. */
interface Generations {
  readonly current: string;
  readonly previous: string;
}

function generations(dir: string, name: string): Generations {
  return { current: join(dir, `${name}.jsonl`), previous: join(dir, `${name}.1.jsonl`) };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The complete JSON lines of `file`, oldest first (none when it does not exist). */
async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Creates `lock` exclusively, taking over a stale one; false when another process holds it. */
async function takeLock(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < ROTATION_LOCK_TRIES; attempt += 1) {
    try {
      await (await open(lock, 'wx')).close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - (await stat(lock)).mtimeMs > ROTATION_LOCK_STALE_MS) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
    } catch {
      continue; // released meanwhile
    }
    await delay(ROTATION_LOCK_WAIT_MS);
  }
  return false;
}

/**
 * Moves `files.current` to `files.previous` if it is still the file `measured` (its inode),
 * under the lock; returns how many lines the overwritten previous generation held.
 */
async function rotate(files: Generations, measured: number): Promise<number> {
  const lock = `${files.current}.lock`;
  if (!(await takeLock(lock))) return 0;
  try {
    let inode: number;
    try {
      inode = (await stat(files.current)).ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    // Another process rotated it after it was measured: the file at the path is a new one.
    if (inode !== measured) return 0;
    const dropped = (await readLines(files.previous)).length;
    await rename(files.current, files.previous);
    return dropped;
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/**
 * Appends one line (fsynced) to `files.current`, first rotating it when the line would take it
 * past `maxBytes`; returns how many lines of an overwritten previous generation were dropped.
 */
async function appendBounded(files: Generations, value: unknown, maxBytes: number): Promise<number> {
  const line = `${JSON.stringify(value)}\n`;
  const length = Buffer.byteLength(line);
  let dropped = 0;
  // A second rotation in a row means other processes keep filling the new file: append anyway.
  for (let attempt = 0; ; attempt += 1) {
    const handle = await open(files.current, 'a');
    let measured: number;
    try {
      const { size, ino } = await handle.stat();
      if (size === 0 || size + length <= maxBytes || attempt === 2) {
        await handle.write(line);
        await handle.datasync();
        return dropped;
      }
      measured = ino;
    } finally {
      await handle.close();
    }
    dropped += await rotate(files, measured);
  }
}

/** An error for `onError`: a rotation overwrote `dropped` undelivered entries. */
function droppedEntries(file: string, dropped: number): Error & { readonly dropped: number } {
  return Object.assign(
    new Error(
      `notification outbox full: ${dropped} undelivered ${dropped === 1 ? 'entry' : 'entries'} of the previous generation of ${file} dropped`,
    ),
    { dropped },
  );
}

/**
 * Notifier with a JSON-lines outbox.
 *
 * @example
 * ```ts
 * const notifier = new OutboxNotifier({ dir: '.city/outbox', transport: new SnsNotifier(sns, topicArn) });
 * notifier.startRetry(30_000);
 * await notifier.publish({ id, type: 'registration', at: Date.now(), userUuid, data: {} });
 * ```
 */
export class OutboxNotifier implements Notifier {
  /** Path of the pending queue. */
  readonly outboxFile: string;
  /** Path of the delivery record. */
  readonly deliveredFile: string;
  /** Path of the previous generation of the pending queue. */
  readonly previousOutboxFile: string;
  /** Path of the previous generation of the delivery record. */
  readonly previousDeliveredFile: string;
  /** Largest size of each file before it rotates. */
  readonly maxBytes: number;
  private readonly outbox: Generations;
  private readonly delivered: Generations;
  private readonly transport: NotificationTransport | undefined;
  private readonly onError: (error: unknown) => void;
  /** Appends and flushes run one at a time, so a rewrite never drops a concurrent append. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: OutboxNotifierOptions) {
    const maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`"maxBytes" expected a positive integer, got ${String(maxBytes)}`);
    }
    this.maxBytes = maxBytes;
    mkdirSync(options.dir, { recursive: true });
    this.outbox = generations(options.dir, 'outbox');
    this.delivered = generations(options.dir, 'delivered');
    this.outboxFile = this.outbox.current;
    this.previousOutboxFile = this.outbox.previous;
    this.deliveredFile = this.delivered.current;
    this.previousDeliveredFile = this.delivered.previous;
    this.transport = options.transport;
    this.onError =
      options.onError ??
      ((error) => process.emitWarning(`notification outbox write failed: ${String(error)}`, 'OutboxWarning'));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Delivers or queues; never throws. */
  async publish(notification: Notification): Promise<void> {
    let lastError: string | undefined;
    if (this.transport !== undefined) {
      try {
        await this.transport.deliver(notification);
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    const entry: OutboxEntry = {
      notification,
      queuedAt: Date.now(),
      attempts: lastError === undefined ? 0 : 1,
      lastError,
    };
    let dropped: number;
    try {
      dropped = await this.serial(() => appendBounded(this.outbox, entry, this.maxBytes));
    } catch (error) {
      this.onError(error);
      return;
    }
    if (dropped > 0) this.onError(droppedEntries(this.outboxFile, dropped));
  }

  /** The queued entries of both generations, oldest first, each notification once. */
  async pending(): Promise<OutboxEntry[]> {
    const lines = [...(await readLines(this.outbox.previous)), ...(await readLines(this.outbox.current))];
    const entries: OutboxEntry[] = [];
    const seen = new Set<string>();
    for (const line of lines) {
      let entry: OutboxEntry;
      try {
        entry = JSON.parse(line) as OutboxEntry;
      } catch {
        // A torn last line from a crash mid-append: that notification was never acknowledged.
        continue;
      }
      const id = entry.notification?.id;
      if (typeof id === 'string') {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      entries.push(entry);
    }
    return entries;
  }

  /**
   * Re-delivers queued notifications; delivered ones move to `delivered.jsonl`.
   * @throws never for delivery failures (they stay queued); only for an unreadable outbox file.
   */
  flushOutbox(): Promise<FlushResult> {
    return this.serial(async () => {
      const entries = await this.pending();
      if (this.transport === undefined || entries.length === 0)
        return { delivered: 0, pending: entries.length };
      const remaining: OutboxEntry[] = [];
      let delivered = 0;
      for (const entry of entries) {
        try {
          await this.transport.deliver(entry.notification);
          await appendBounded(
            this.delivered,
            { id: entry.notification.id, deliveredAt: Date.now(), via: this.transport.describe() },
            this.maxBytes,
          );
          delivered += 1;
        } catch (error) {
          remaining.push({
            ...entry,
            attempts: entry.attempts + 1,
            lastError: error instanceof Error ? error.message : String(error),
          });
        }
      }
      const temporary = `${this.outboxFile}.tmp`;
      const handle = await open(temporary, 'w');
      try {
        await handle.write(remaining.map((e) => `${JSON.stringify(e)}\n`).join(''));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.outboxFile);
      // Everything still pending from the previous generation is in the rewritten file now.
      await unlink(this.outbox.previous).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return { delivered, pending: remaining.length };
    });
  }

  /** Flushes every `intervalMs` in the background (the timer never keeps the process alive). */
  startRetry(intervalMs = 30_000): void {
    if (this.timer !== undefined || this.transport === undefined) return;
    this.timer = setInterval(() => {
      this.flushOutbox().catch((error: unknown) => this.onError(error));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic retry and waits for a running flush. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue;
  }
}
