/**
 * moto's server mode: SNS, SQS (and other AWS APIs) in one Python process, for end-to-end
 * notification tests (publish to a topic, read the message back from a subscribed queue).
 */
import { childStartError, startChildService } from './lib/child-service.js';
import { freePort } from './lib/free-port.js';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

/** Options of {@link startMotoServer}. */
export interface StartMotoServerOptions {
  /** Port on 127.0.0.1; a free one when absent or 0. */
  readonly port?: number | undefined;
  /** How long to wait for the first answer (default 30 s). */
  readonly startTimeoutMs?: number | undefined;
}

const INSTALL_MOTO = 'install Python 3 and `pip install "moto[server]"`';

/**
 * Starts `moto_server` (or `python3 -m moto.server` when the script is not on PATH) on 127.0.0.1.
 *
 * @throws {LocalServiceError} `SERVICE_UNAVAILABLE` naming `pip install "moto[server]"` when neither runs; `SERVICE_START_FAILED` when it does not answer.
 * @example
 * ```ts
 * const moto = await startMotoServer();
 * // ... SNSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
 * await moto.stop();
 * ```
 */
export async function startMotoServer(options: StartMotoServerOptions = {}): Promise<LocalService> {
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const address = ['-H', '127.0.0.1', '-p', String(port)];

  const script = await startChildService('moto_server', address, port, { timeoutMs });
  if (script.ok) {
    return { endpoint: `http://127.0.0.1:${port}`, pid: script.service.child.pid, stop: script.service.stop };
  }
  if (script.failure.kind !== 'missing' && script.failure.kind !== 'exited') {
    throw childStartError('moto server', script.failure, INSTALL_MOTO);
  }

  // `moto_server` missing (or a shim for another Python): try the module with python3.
  const module = await startChildService('python3', ['-m', 'moto.server', ...address], port, { timeoutMs });
  if (module.ok) {
    return { endpoint: `http://127.0.0.1:${port}`, pid: module.service.child.pid, stop: module.service.stop };
  }
  if (
    module.failure.kind === 'missing' ||
    /No module named/.test(module.failure.kind === 'exited' ? module.failure.output : '')
  ) {
    throw new LocalServiceError('SERVICE_UNAVAILABLE', `moto server is not available: ${INSTALL_MOTO}`);
  }
  throw childStartError('moto server', module.failure, INSTALL_MOTO);
}
