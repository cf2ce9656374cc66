/**
 * Internal: a process-wide gate on concurrent Argon2id work. `crypto.argon2` runs on libuv's
 * thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which is shared with every
 * file-system call and every N-API async job of the process — LevelDB under the embedded dynalite,
 * s3rver's files, the outbox. A burst of logins would otherwise queue that I/O behind seconds of
 * hashing and turn store calls into timeouts (503). At most one job per core plus one, and always
 * at least one pool thread left free, run at once; the rest wait in FIFO order. The one job beyond
 * the core count is already running when another finishes: a core is never left idle while the
 * finished job's completion waits for the event loop to hand its slot to the next waiter (with
 * exactly one job per core, every such hand-off idled a core, and a login burst kept ~1.75 of 2
 * cores busy). Unknown-user and wrong-password paths pass the same gate.
 */
import { availableParallelism } from 'node:os';

const poolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4;
const limit = Math.max(1, Math.min(availableParallelism() + 1, poolSize - 1));
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
