/**
 * Internal: starts a local engine in its own worker thread (see `_service-worker.ts`) and returns
 * it as a {@link LocalService}; `stop()` closes the engine inside the worker (flushing LevelDB),
 * waits for the worker to exit, and terminates it only if it does not.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

/** The worker script next to this module: `.js` when built, `.ts` when run from source. */
function workerScript(): URL {
  const built = new URL('./_service-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : new URL('./_service-worker.ts', import.meta.url);
}

const EXIT_GRACE_MS = 5_000;

export async function runInWorker(
  kind: 'dynalite' | 's3rver',
  options: { port?: number | undefined; dataDir?: string | undefined },
  onStopped: () => void = () => {},
): Promise<LocalService> {
  const worker = new Worker(workerScript(), {
    workerData: { kind, port: options.port ?? 0, dataDir: options.dataDir },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (message: string, cause?: unknown) =>
      reject(
        new LocalServiceError('SERVICE_START_FAILED', `${kind} could not start in a worker: ${message}`, {
          cause,
        }),
      );
    worker.once('error', (error) => fail(error.message, error));
    worker.once('exit', (code) => fail(`the worker exited with code ${code}`));
    worker.once('message', (message: { type?: string; port?: number; message?: string }) => {
      if (message.type === 'listening' && typeof message.port === 'number') resolve(message.port);
      else fail(message.message ?? 'unexpected message');
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  // An engine crash after start must not take the host process down with it.
  worker.on('error', () => {});

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => {
      stopping ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          worker.on('message', (message: { type?: string }) => {
            if (message.type === 'stopped') resolve();
          });
          void exited.then(resolve);
        });
        worker.postMessage({ type: 'stop' });
        await stopped;
        const timer = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
        await exited;
        clearTimeout(timer);
        onStopped();
      })();
      return stopping;
    },
  };
}
