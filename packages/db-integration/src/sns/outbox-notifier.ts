/**
 * A Notifier that never loses a notification and never fails the caller: it delivers through
 * a transport (SNS) when one is configured, and otherwise — or when delivery fails — appends
 * the notification to `outbox.jsonl` (one JSON object per line, fsynced) in its directory.
 * `flushOutbox()` (and the optional periodic retry) re-delivers queued entries, records each
 * delivered one in `delivered.jsonl`, and rewrites the outbox with what is still pending
 * (write to a temporary file, fsync, rename: a crash leaves either the old or the new file).
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notification, Notifier } from '@city/ports';
import type { NotificationTransport } from './notification-transport.js';

/** Options of {@link OutboxNotifier}. */
export interface OutboxNotifierOptions {
  /** Directory of `outbox.jsonl` and `delivered.jsonl` (created if missing). */
  readonly dir: string;
  /** Where to deliver; without one every notification stays in the outbox. */
  readonly transport?: NotificationTransport | undefined;
  /** Called when even the outbox cannot be written (disk full...): the only place that failure shows. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

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

async function appendLine(file: string, value: unknown): Promise<void> {
  const handle = await open(file, 'a');
  try {
    await handle.write(`${JSON.stringify(value)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
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
  private readonly transport: NotificationTransport | undefined;
  private readonly onError: (error: unknown) => void;
  /** Appends and flushes run one at a time, so a rewrite never drops a concurrent append. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: OutboxNotifierOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.outboxFile = join(options.dir, 'outbox.jsonl');
    this.deliveredFile = join(options.dir, 'delivered.jsonl');
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
    try {
      await this.serial(() => appendLine(this.outboxFile, entry));
    } catch (error) {
      this.onError(error);
    }
  }

  /** The queued entries, oldest first. */
  async pending(): Promise<OutboxEntry[]> {
    let text: string;
    try {
      text = await readFile(this.outboxFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: OutboxEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as OutboxEntry);
      } catch {
        // A torn last line from a crash mid-append: that notification was never acknowledged.
      }
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
          await appendLine(this.deliveredFile, {
            id: entry.notification.id,
            deliveredAt: Date.now(),
            via: this.transport.describe(),
          });
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
