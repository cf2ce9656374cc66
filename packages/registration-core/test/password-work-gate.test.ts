/**
 * The process-wide gate on Argon2id work (lib/_password-work): never more jobs at once than one per
 * core plus one, and never the whole libuv pool (a thread stays free for file-system and N-API
 * work); the rest start in arrival order as slots free up, and a failing job frees its slot too.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { withPasswordWork } from '../src/lib/_password-work.js';

const poolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
const expectedLimit = Math.max(1, Math.min(availableParallelism() + 1, poolSize - 1));

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('password work gate', () => {
  it('runs at most cores + 1 jobs at once, leaving a pool thread free, and starts the rest in order', async () => {
    const jobs = Array.from({ length: expectedLimit + 4 }, () => deferred());
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = jobs.map((job, index) =>
      withPasswordWork(async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await job.promise;
        running -= 1;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual(Array.from({ length: expectedLimit }, (_, i) => i));
    expect(expectedLimit).toBeLessThan(poolSize);
    // Finish the jobs out of order: each finished one lets exactly the next waiter in.
    for (let i = jobs.length - 1; i >= 0; i--) {
      jobs[i]?.resolve();
      await settle();
    }
    await expect(Promise.all(all)).resolves.toEqual(jobs.map((_, i) => i));
    expect(peak).toBe(expectedLimit);
    expect(started).toEqual(jobs.map((_, i) => i));
  });

  it('a job that throws frees its slot for the next waiter', async () => {
    const blockers = Array.from({ length: expectedLimit }, () => deferred());
    const held = blockers.map((b) => withPasswordWork(() => b.promise));
    let ranAfter = false;
    const waiter = withPasswordWork(async () => {
      ranAfter = true;
    });
    await settle();
    expect(ranAfter).toBe(false);
    blockers[0]?.reject(new Error('hash failed'));
    await expect(held[0]).rejects.toThrow('hash failed');
    await waiter;
    expect(ranAfter).toBe(true);
    for (const b of blockers.slice(1)) b.resolve();
    await Promise.all(held.slice(1));
  });
});
