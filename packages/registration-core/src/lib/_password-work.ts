/**
 * Internal: a process-wide gate on concurrent Argon2id work. `crypto.argon2` runs on libuv's
 * thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which is shared with every
 * file-system call and every N-API async job of the process — LevelDB under the embedded dynalite,
 * s3rver's files, the outbox. A burst of logins would otherwise queue that I/O behind seconds of
 * hashing and turn store calls into timeouts (503). At most one job per core, and always at
 * least one pool thread left free, run at once; the rest wait in FIFO order. Throughput is the
 * same (the work is CPU bound), unknown-user and wrong-password paths pass the same gate.
 */
import { availableParallelism } from 'node:os';

const poolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
const limit = Math.max(1, Math.min(availableParallelism(), poolSize - 1));
let running = 0;
const waiting: (() => void)[] = [];

export async function withPasswordWork<T>(work: () => Promise<T>): Promise<T> {
  if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next waiter; `running` only drops when nobody waits.
    if (next !== undefined) next();
    else running--;
  }
}
