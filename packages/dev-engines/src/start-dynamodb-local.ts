/**
 * DynamoDB Local (Amazon's Java engine), the reference engine for tests: conditional writes,
 * TTL settings and validation behave as on AWS. The jar ships inside the npm package
 * `amplify-dynamodb-simulator` (`emulator/DynamoDBLocal.jar` + `DynamoDBLocal_lib/`).
 *
 * DynamoDB Local has no bind-address option: it listens on all interfaces of the chosen
 * port; clients are pointed at 127.0.0.1.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { childStartError, startChildService } from './lib/child-service.js';
import { freePort } from './lib/free-port.js';
import type { LocalService } from './local-service.js';
import { LocalServiceError } from './local-service-error.js';

/** Options of {@link startDynamoDbLocal}. */
export interface StartDynamoDbLocalOptions {
  /** Directory for the SQLite database file; in memory when absent. */
  readonly dataDir?: string | undefined;
  /** Port; a free one when absent or 0. */
  readonly port?: number | undefined;
  /** The Java executable (default `java` from PATH, or `$JAVA_HOME/bin/java`). */
  readonly javaPath?: string | undefined;
  /** How long to wait for the first answer (default 60 s; the JVM starts slowly on small machines). */
  readonly startTimeoutMs?: number | undefined;
}

const INSTALL_JAVA =
  'install a Java runtime 17+ (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME';

/** Finds `emulator/` of the `amplify-dynamodb-simulator` package. */
function emulatorDir(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  } catch (cause) {
    throw new LocalServiceError(
      'SERVICE_UNAVAILABLE',
      'DynamoDB Local is not available: install `amplify-dynamodb-simulator@2.9.30` (it ships DynamoDBLocal.jar)',
      { cause },
    );
  }
  const dir = join(dirname(packageJson), 'emulator');
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    throw new LocalServiceError(
      'SERVICE_UNAVAILABLE',
      `DynamoDB Local is not available: ${join(dir, 'DynamoDBLocal.jar')} is missing; reinstall amplify-dynamodb-simulator@2.9.30`,
    );
  }
  return dir;
}

/**
 * Starts DynamoDB Local on a free port, in memory or with its database in `dataDir`.
 *
 * @throws {LocalServiceError} `SERVICE_UNAVAILABLE` naming Java or the jar package when either is missing; `SERVICE_START_FAILED` when the JVM exits or does not answer.
 * @example
 * ```ts
 * const dynamo = await startDynamoDbLocal();
 * // ... DynamoDBClient({ endpoint: dynamo.endpoint })
 * await dynamo.stop();
 * ```
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<LocalService> {
  const dir = emulatorDir();
  const java =
    options.javaPath ??
    (process.env.JAVA_HOME !== undefined && process.env.JAVA_HOME !== ''
      ? join(process.env.JAVA_HOME, 'bin', 'java')
      : 'java');
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const storage = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir];
  const started = await startChildService(
    java,
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      ...storage,
      // one database for every access key and region, like a single AWS account
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    port,
    { timeoutMs: options.startTimeoutMs ?? 60_000, cwd: dir },
  );
  if (!started.ok) throw childStartError('DynamoDB Local (Java)', started.failure, INSTALL_JAVA);
  return { endpoint: `http://127.0.0.1:${port}`, pid: started.service.child.pid, stop: started.service.stop };
}
