/**
 * dynalite 4: a DynamoDB API implemented in JavaScript over LevelDB, run in this process or,
 * with `inWorker`, in a worker thread with its own event loop (what an API process should use:
 * its CPU work then cannot stall the engine past the store client's timeout). It is the embedded
 * default engine (no Java needed). It lacks TransactWriteItems and
 * UpdateTimeToLive, which the DynamoDB adapter does not rely on.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { runInWorker } from './_run-in-worker.js';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

type DynaliteFactory = (options: DynaliteOptions) => Server;

/** Options of {@link startDynalite}. */
export interface StartDynaliteOptions {
  /** LevelDB directory for persistent data; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Port on 127.0.0.1; a free one when absent or 0. */
  readonly port?: number | undefined;
  /**
   * Run dynalite in a `worker_threads` Worker (own event loop); `stop()` closes it there, which
   * flushes and closes LevelDB, then lets the worker exit. Default false (in this thread).
   */
  readonly inWorker?: boolean | undefined;
}

/**
 * Starts dynalite on 127.0.0.1 (free port unless given), in memory or persisted to `dataDir`.
 *
 * @throws {LocalServiceError} `SERVICE_UNAVAILABLE` when the `dynalite` package (or its LevelDB binding) cannot be loaded; `SERVICE_START_FAILED` when the port cannot be bound.
 * @example
 * ```ts
 * const dynamo = await startDynalite({ dataDir: '.city/dynamodb', inWorker: true });
 * // ... DynamoDBClient({ endpoint: dynamo.endpoint })
 * await dynamo.stop();
 * ```
 */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalService> {
  let factory: DynaliteFactory;
  try {
    factory = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  } catch (cause) {
    throw new LocalServiceError(
      'SERVICE_UNAVAILABLE',
      'dynalite is not available: install it with `pnpm add dynalite@4.0.0` (its LevelDB binding classic-level must be allowed to build)',
      { cause },
    );
  }
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  if (options.inWorker === true) return runInWorker('dynalite', options);
  // Tables become ACTIVE at once: nothing waits for a CREATING state.
  const server = factory({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new LocalServiceError('SERVICE_START_FAILED', `dynalite could not listen: ${String(cause)}`, {
          cause,
        }),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        // dynalite's close also closes LevelDB; keep-alive sockets would hold it open.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
