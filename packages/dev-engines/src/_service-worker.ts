/**
 * Internal: runs dynalite or s3rver in a `worker_threads` Worker, so the engine has its own event
 * loop and a busy host process (Argon2id callbacks, JSON, crypto) does not delay its answers past
 * the store client's timeout. Started by `startDynalite({ inWorker: true })` /
 * `startS3rver({ inWorker: true })`. Kept free of TypeScript-only syntax: when the package is
 * run from source, Node loads this file with its built-in type stripping.
 *
 * Protocol: the worker posts `{ type: 'listening', port }` or `{ type: 'failed', message }`;
 * on `{ type: 'stop' }` it closes the server (dynalite's close also closes LevelDB, flushing it)
 * and posts `{ type: 'stopped' }`.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

interface ServiceWorkerData {
  readonly kind: 'dynalite' | 's3rver';
  readonly port: number;
  readonly dataDir?: string | undefined;
}

interface Running {
  close(): Promise<void>;
}

const data = workerData as ServiceWorkerData;
const load = createRequire(import.meta.url);

async function startDynaliteHere(): Promise<{ port: number; running: Running }> {
  const factory = load('dynalite') as (options: Record<string, unknown>) => Server;
  const server = factory({
    ...(data.dataDir === undefined ? {} : { path: data.dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(data.port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  return {
    port,
    running: {
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    },
  };
}

async function startS3rverHere(): Promise<{ port: number; running: Running }> {
  const S3rver = load('s3rver') as new (
    options: Record<string, unknown>,
  ) => { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: Server };
  const server = new S3rver({ address: '127.0.0.1', port: data.port, silent: true, directory: data.dataDir });
  const { port } = await server.run();
  return {
    port,
    running: {
      close: async () => {
        const closed = server.close();
        server.httpServer?.closeAllConnections();
        await closed;
      },
    },
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  let started: { port: number; running: Running };
  try {
    started = data.kind === 'dynalite' ? await startDynaliteHere() : await startS3rverHere();
  } catch (error) {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port.on('message', (message: { type?: string }) => {
    if (message?.type !== 'stop') return;
    void started.running
      .close()
      .catch(() => {})
      .then(() => {
        port.postMessage({ type: 'stopped' });
        port.close();
      });
  });
  port.postMessage({ type: 'listening', port: started.port });
}

void main();
