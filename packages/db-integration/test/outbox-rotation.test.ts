/**
 * The notification outbox stays bounded on disk (`src/sns/outbox-notifier.ts`): each file moves to
 * one previous generation before an append would take it past `maxBytes`, `pending()` and
 * `flushOutbox()` read both generations, and the undelivered entries of an overwritten generation
 * are reported to `onError` with their count. Tiny bounds make rotations happen after a few lines.
 * Two notifiers on one directory stand for two processes (their appends interleave on the event
 * loop as separate processes' would at the file system).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notification } from '@city/ports';
import { afterAll, describe, expect, it } from 'vitest';
import type { NotificationTransport } from '../src/sns/notification-transport.js';
import { DEFAULT_OUTBOX_MAX_BYTES, OutboxNotifier } from '../src/sns/outbox-notifier.js';

const root = mkdtempSync(join(tmpdir(), 'city-outbox-rotation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const freshDir = (): string => join(root, randomUUID());

function notification(i: number): Notification {
  return {
    id: `n-${String(i).padStart(4, '0')}-${randomUUID()}`,
    type: 'registration',
    at: 1_700_000_000_000 + i,
    userUuid: randomUUID(),
    data: {},
  };
}

/** The size of `file`, 0 when it does not exist. */
const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/** One outbox line of a notification like those above, in bytes (they all have the same length). */
function lineBytes(): number {
  return Buffer.byteLength(
    `${JSON.stringify({ notification: notification(0), queuedAt: Date.now(), attempts: 0 })}\n`,
  );
}

class SwitchableTransport implements NotificationTransport {
  up = false;
  readonly delivered: string[] = [];
  async deliver(n: Notification): Promise<void> {
    if (!this.up) throw new Error('transport down');
    this.delivered.push(n.id);
  }
  describe(): string {
    return 'test:switchable';
  }
}

describe('outbox rotation', () => {
  it('defaults to 64 MiB and refuses a bound that is not a positive integer', () => {
    expect(DEFAULT_OUTBOX_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(new OutboxNotifier({ dir: freshDir() }).maxBytes).toBe(DEFAULT_OUTBOX_MAX_BYTES);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new OutboxNotifier({ dir: freshDir(), maxBytes: bad })).toThrow(RangeError);
    }
  });

  it('keeps each generation under the bound, reads both, and reports each overwritten entry once with its count', async () => {
    const dir = freshDir();
    const line = lineBytes();
    const maxBytes = 4 * line + 10; // four lines per generation
    const errors: unknown[] = [];
    const outbox = new OutboxNotifier({ dir, maxBytes, onError: (error) => errors.push(error) });
    const published: Notification[] = [];
    for (let i = 0; i < 8; i += 1) {
      const n = notification(i);
      published.push(n);
      await outbox.publish(n);
    }
    // Two full generations, nothing dropped yet.
    expect(errors).toEqual([]);
    expect(sizeOf(outbox.outboxFile)).toBeLessThanOrEqual(maxBytes);
    expect(sizeOf(outbox.previousOutboxFile)).toBeLessThanOrEqual(maxBytes);
    expect((await outbox.pending()).map((e) => e.notification.id)).toEqual(published.map((n) => n.id));

    // The ninth rotates again: the first four are overwritten and reported as four.
    const ninth = notification(8);
    published.push(ninth);
    await outbox.publish(ninth);
    expect(errors).toHaveLength(1);
    expect((errors[0] as { dropped: number }).dropped).toBe(4);
    expect(String((errors[0] as Error).message)).toContain('4 undelivered entries');
    expect((await outbox.pending()).map((e) => e.notification.id)).toEqual(
      published.slice(4).map((n) => n.id),
    );
    expect(sizeOf(outbox.outboxFile) + sizeOf(outbox.previousOutboxFile)).toBeLessThanOrEqual(2 * maxBytes);

    // Many more: the disk use never exceeds twice the bound, and every entry is pending or counted.
    for (let i = 9; i < 60; i += 1) {
      const n = notification(i);
      published.push(n);
      await outbox.publish(n);
      expect(sizeOf(outbox.outboxFile)).toBeLessThanOrEqual(maxBytes);
      expect(sizeOf(outbox.previousOutboxFile)).toBeLessThanOrEqual(maxBytes);
    }
    const dropped = errors.reduce<number>((sum, e) => sum + (e as { dropped: number }).dropped, 0);
    const pending = await outbox.pending();
    expect(pending.length + dropped).toBe(published.length);
    expect(pending.map((e) => e.notification.id)).toEqual(published.slice(dropped).map((n) => n.id));
  });

  it('a flush delivers from both generations, empties them, and bounds the delivery record the same way', async () => {
    const dir = freshDir();
    const line = lineBytes();
    // Entries queued after a failed delivery also carry `attempts: 1` and the error (under 40 bytes more).
    const maxBytes = 3 * (line + 40);
    const transport = new SwitchableTransport();
    const errors: unknown[] = [];
    const outbox = new OutboxNotifier({ dir, maxBytes, transport, onError: (e) => errors.push(e) });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const n = notification(i);
      ids.push(n.id);
      await outbox.publish(n);
    }
    expect(existsSync(outbox.previousOutboxFile)).toBe(true);
    expect((await outbox.pending()).map((e) => e.notification.id)).toEqual(ids);
    transport.up = true;
    expect(await outbox.flushOutbox()).toEqual({ delivered: 5, pending: 0 });
    expect(transport.delivered).toEqual(ids);
    expect(existsSync(outbox.previousOutboxFile)).toBe(false);
    expect(await outbox.pending()).toEqual([]);
    expect(errors).toEqual([]);
    // Delivery records are shorter: a few more rounds fill and rotate them under the same bound.
    for (let round = 1; round < 4; round += 1) {
      transport.up = false;
      for (let i = 0; i < 5; i += 1) {
        const n = notification(round * 5 + i);
        ids.push(n.id);
        await outbox.publish(n);
      }
      transport.up = true;
      expect(await outbox.flushOutbox()).toEqual({ delivered: 5, pending: 0 });
    }
    expect(transport.delivered).toEqual(ids);
    expect(errors).toEqual([]);
    expect(existsSync(outbox.previousDeliveredFile)).toBe(true);
    expect(sizeOf(outbox.deliveredFile)).toBeLessThanOrEqual(maxBytes);
    expect(sizeOf(outbox.previousDeliveredFile)).toBeLessThanOrEqual(maxBytes);
    expect(readFileSync(outbox.deliveredFile, 'utf8')).toContain(ids.at(-1) as string);
    await outbox.stop();
  });

  it('two processes appending to one directory rotate a full file once, and lose nothing but reported entries', async () => {
    const dir = freshDir();
    const line = lineBytes();
    const maxBytes = 5 * line + 7;
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    const a = new OutboxNotifier({ dir, maxBytes, onError });
    const b = new OutboxNotifier({ dir, maxBytes, onError });
    const published: string[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i += 1) {
      const n = notification(i);
      published.push(n.id);
      writes.push((i % 2 === 0 ? a : b).publish(n));
    }
    await Promise.all(writes);
    for (const e of errors) expect(e).toHaveProperty('dropped');
    const dropped = errors.reduce<number>((sum, e) => sum + (e as { dropped: number }).dropped, 0);
    const pending = (await a.pending()).map((e) => e.notification.id);
    expect(new Set(pending).size).toBe(pending.length);
    for (const id of pending) expect(published).toContain(id);
    // Every notification is either still queued or counted in a report.
    expect(pending.length + dropped).toBeGreaterThanOrEqual(published.length);
    // A double rotation would have thrown away a generation early: the newest entries are all kept.
    expect(pending.length).toBeGreaterThanOrEqual(5);
    expect(sizeOf(a.outboxFile) + sizeOf(a.previousOutboxFile)).toBeLessThanOrEqual(2 * maxBytes + 2 * line);
    expect(existsSync(`${a.outboxFile}.lock`)).toBe(false);
  });

  it('appends without rotating while another process holds the rotation lock, and takes over a stale lock', async () => {
    const dir = freshDir();
    const line = lineBytes();
    const maxBytes = 2 * line + 3;
    const outbox = new OutboxNotifier({ dir, maxBytes });
    await outbox.publish(notification(0));
    await outbox.publish(notification(1));
    const lock = `${outbox.outboxFile}.lock`;
    writeFileSync(lock, '');
    // A fresh lock: the append waits for it, then appends past the bound rather than lose the entry.
    await outbox.publish(notification(2));
    expect(existsSync(outbox.previousOutboxFile)).toBe(false);
    expect((await outbox.pending()).length).toBe(3);
    // A lock left by a crashed process (old mtime) is taken over and the rotation happens.
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    await outbox.publish(notification(3));
    expect(existsSync(outbox.previousOutboxFile)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    expect((await outbox.pending()).length).toBe(4);
    expect(sizeOf(outbox.outboxFile)).toBeLessThanOrEqual(maxBytes);
  });
});
