/**
 * Per-document write serialisation for servers whose updates are not atomic.
 *
 * FerretDB v1 implements `update` and `findAndModify` as "query, change in memory, write the
 * whole document back" in separate statements (checked: 50 concurrent conditional
 * `findOneAndUpdate`s of one token gave 4 winners, 50 concurrent `$inc`s counted 4). On such a
 * server the adapter runs every read-modify-write of one document through an in-process queue
 * keyed by collection and `_id`. That makes one process correct (the embedded mode and the
 * tests); several processes sharing one FerretDB are not protected, which is why one-time
 * consumes do not rely on it (they claim with a unique insert, atomic on every server) and
 * why deployments with several API instances use a real MongoDB.
 */

/** Runs `operation` exclusively for `key` (or directly, when the server's updates are atomic). */
export type WriteSerializer = <T>(key: string, operation: () => Promise<T>) => Promise<T>;

/** No serialisation: MongoDB applies each single-document update atomically. */
export const atomicWrites: WriteSerializer = (_key, operation) => operation();

/** A serialiser that queues operations per key inside this process. */
export function createKeyedWriteQueue(): WriteSerializer {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, operation: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(operation, operation);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
