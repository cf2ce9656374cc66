/**
 * s3rver 3.7: an S3 API over a directory, run in this process. Use it with the AWS SDK
 * `forcePathStyle: true` and credentials `S3RVER` / `S3RVER`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInWorker } from './_run-in-worker.js';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}

type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
}) => S3rverInstance;

/** Options of {@link startS3rver}. */
export interface StartS3rverOptions {
  /** Directory holding buckets and objects; a temporary directory (removed on stop) when absent. */
  readonly dataDir?: string | undefined;
  /** Port on 127.0.0.1; a free one when absent or 0. */
  readonly port?: number | undefined;
  /** Run s3rver in a `worker_threads` Worker with its own event loop (default false). */
  readonly inWorker?: boolean | undefined;
}

/**
 * Starts s3rver on 127.0.0.1 (free port unless given) storing objects under `dataDir`.
 *
 * @throws {LocalServiceError} `SERVICE_UNAVAILABLE` when `s3rver` cannot be loaded; `SERVICE_START_FAILED` when it cannot listen.
 * @example
 * ```ts
 * const s3 = await startS3rver();
 * // ... S3Client({ endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
 * await s3.stop();
 * ```
 */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<LocalService> {
  let S3rver: S3rverConstructor;
  try {
    S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  } catch (cause) {
    throw new LocalServiceError(
      'SERVICE_UNAVAILABLE',
      's3rver is not available: install it with `pnpm add s3rver@3.7.1`',
      {
        cause,
      },
    );
  }
  const temporary = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'city-s3rver-')) : undefined;
  const removeTemporary = (): void => {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  };
  if (options.inWorker === true) {
    try {
      return await runInWorker(
        's3rver',
        { port: options.port, dataDir: options.dataDir ?? temporary },
        removeTemporary,
      );
    } catch (error) {
      removeTemporary();
      throw error;
    }
  }
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.dataDir ?? (temporary as string),
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (cause) {
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
    throw new LocalServiceError('SERVICE_START_FAILED', `s3rver could not listen: ${String(cause)}`, {
      cause,
    });
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => {
      stopping ??= (async () => {
        const closed = server.close();
        server.httpServer?.closeAllConnections();
        await closed;
        if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
