/**
 * The embedded deployment: everything under one data directory, no external services. Secrets
 * (CA and JWT keys sealed under the key vault, whose root key may live elsewhere) as in
 * _load-secrets, checked against the store by _secrets-for-store; records and certificate bodies in one SQLite
 * database `<dataDir>/city.db` (Node's built-in `node:sqlite`, in this process: a store call
 * costs microseconds, not an HTTP round trip), notifications in the outbox `<dataDir>/outbox`.
 * A second start on the same directory reuses all of it.
 *
 * `store: 'dynalite'` keeps the DynamoDB-compatible layout instead (dynalite under
 * `<dataDir>/dynamodb`, s3rver under `<dataDir>/s3`, in worker threads by default), for
 * exercising the DynamoDB code path without AWS. A data directory written by that layout and
 * without `city.db` opens with it automatically, so its users are not silently left behind.
 */
import { access, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadStorageConfigFromEnv, OutboxNotifier } from '@city/db-integration';
import { createSqliteStores } from '@city/db-integration/sqlite';
import { CityError } from '@city/errors';
import type { JwtAlgorithm, KeySet } from '@city/jwt';
import type { KemAlgorithm } from '@city/ntru-keyvault';
import type { Clock, CounterStore, Random, Stores } from '@city/ports';
import type { AuthConfigOverrides, AuthService, CertificateAlgorithm } from '@city/registration-core';
import { assembleRuntime } from './_assemble-runtime.js';
import type { RootKeyOptions } from './_load-secrets.js';
import { secretsForStore } from './_secrets-for-store.js';

/** Options of {@link openEmbeddedAuth}. */
export interface EmbeddedAuthOptions {
  /** Directory for data and sealed keys (created 0700 when missing). */
  readonly dataDir: string;
  /**
   * The root key (the key vault's KEM private key): its PEM text, or a file outside the data
   * directory. Default the file `<dataDir>/keyvault-kem.key` (development only: a copy of the
   * directory then carries the key to everything in it).
   */
  readonly rootKey?: RootKeyOptions | undefined;
  readonly config?: AuthConfigOverrides | undefined;
  /** Algorithm of a newly created CA (default ml-dsa-65). */
  readonly caAlgorithm?: CertificateAlgorithm | undefined;
  /** Algorithm of a newly created JWT key (default EdDSA). */
  readonly jwtAlgorithm?: JwtAlgorithm | undefined;
  /** KEM of a newly created key vault (default ntru-hrss-701). */
  readonly kemAlgorithm?: KemAlgorithm | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: Random | undefined;
  readonly onInternalError?: ((error: unknown, where: string) => void) | undefined;
  /**
   * Where records live: `sqlite` (`<dataDir>/city.db`, the default for a new directory) or
   * `dynalite` (the DynamoDB-compatible engines; the default for a directory that has only their data).
   */
  readonly store?: EmbeddedStore | undefined;
  /**
   * With `store: 'sqlite'`: SQLite's `synchronous` level. `full` (the default) makes every
   * acknowledged write survive a power loss; `normal` only a process crash (see db-integration's README).
   */
  readonly sqliteSynchronous?: 'auth' | 'full' | 'normal' | undefined;
  /** With `store: 'sqlite'`: audit events older than this many days are deleted (default 400; 0 = the default). */
  readonly auditRetentionDays?: number | undefined;
  /** Size bound in bytes of each notification outbox file (default 64 MiB; see `OutboxNotifier`). */
  readonly outboxMaxBytes?: number | undefined;
  /** With `store: 'dynalite'`: run dynalite and s3rver in worker threads (default true). */
  readonly enginesInWorker?: boolean | undefined;
}

/** The embedded record stores. */
export type EmbeddedStore = 'sqlite' | 'dynalite';

/** A running auth service and how to stop it. */
export interface AuthRuntime {
  readonly auth: AuthService;
  /** Where things are (for status output); no secrets. */
  readonly describe: Readonly<Record<string, string>>;
  /** The stores' counters: HTTP rate limits counted here are shared by every instance on the same store. */
  readonly counters: CounterStore;
  /** The key set the service signs with and the claims it checks (the issuer published in the API metadata; the keys for extensions that verify tokens themselves). */
  readonly jwt: { readonly keys: KeySet; readonly issuer: string; readonly audience: string };
  /**
   * Refuses new calls (they reject with `StoreUnavailableError`), waits for the calls in flight,
   * then stops the stores and local services; idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens (creating on first use) a self-contained auth service under `dataDir`.
 *
 * @throws {CityError} `CONFIG_INVALID` when `dataDir` cannot be created or is not a directory
 * @throws {SecretsError} `SECRETS_MISSING`, `SECRETS_MISMATCH`, `SECRETS_LOCKED`, `SECRETS_UNREADABLE` (see README "Secrets")
 * @throws {Error} store errors from the local services
 * @example
 * ```ts
 * const { auth, close } = await openEmbeddedAuth({ dataDir: '.city' });
 * try { await auth.register(body); } finally { await close(); }
 * ```
 */
export async function openEmbeddedAuth(options: EmbeddedAuthOptions): Promise<AuthRuntime> {
  const dataDir = options.dataDir;
  await prepareDataDir(dataDir);
  const engine = options.store ?? (await defaultStore(dataDir));
  const opened = engine === 'sqlite' ? openSqlite(dataDir, options) : await openDynalite(dataDir, options);
  let secrets: Awaited<ReturnType<typeof secretsForStore>>;
  try {
    secrets = await secretsForStore(opened.stores, {
      dir: dataDir,
      rootKey: options.rootKey,
      caAlgorithm: options.caAlgorithm,
      jwtAlgorithm: options.jwtAlgorithm,
      kemAlgorithm: options.kemAlgorithm,
    });
  } catch (error) {
    await opened.stop().catch(() => {});
    throw error;
  }
  return assembleRuntime(
    opened.stores,
    secrets,
    options,
    { mode: 'embedded', dataDir, store: engine, ...opened.describe },
    () => opened.stop(),
  );
}

interface OpenedStores {
  readonly stores: Stores;
  readonly describe: Readonly<Record<string, string>>;
  /** Closes the stores, then stops any engine they talk to. */
  stop(): Promise<void>;
}

/**
 * Creates `dataDir` (0700) when missing. A path that cannot be a data directory (a file, or
 * somewhere this process may not create or enter) is the deployment's configuration, so it is
 * `CONFIG_INVALID` naming the path — the code the API and the CLI already report as such.
 */
async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (!(await stat(dataDir)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new CityError('CONFIG_INVALID', `data directory "${dataDir}" cannot be used (${reason})`, {
      cause,
    });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** SQLite for a new directory; dynalite for one that holds only dynalite data. */
async function defaultStore(dataDir: string): Promise<EmbeddedStore> {
  if (await exists(join(dataDir, SQLITE_FILE))) return 'sqlite';
  return (await exists(join(dataDir, 'dynamodb'))) ? 'dynalite' : 'sqlite';
}

const SQLITE_FILE = 'city.db';

function openSqlite(dataDir: string, options: EmbeddedAuthOptions): OpenedStores {
  const path = join(dataDir, SQLITE_FILE);
  const notifier = new OutboxNotifier({ dir: join(dataDir, 'outbox'), maxBytes: options.outboxMaxBytes });
  const stores = createSqliteStores({
    path,
    notifier,
    synchronous: options.sqliteSynchronous ?? 'auth',
    auditRetentionDays: options.auditRetentionDays,
  });
  return {
    stores,
    describe: { sqlite: path, 'sqlite synchronous': stores.synchronous, outbox: join(dataDir, 'outbox') },
    stop: async () => {
      await stores.close();
      await notifier.stop();
    },
  };
}

/** The dynalite and s3rver launchers, loaded only when `store: 'dynalite'` is chosen. */
type DevEngines = Pick<typeof import('@city/dev-engines'), 'startDynalite' | 'startS3rver'>;

/**
 * The development engines package is left out of a production install (`pnpm deploy --prod`), so
 * the DynamoDB-compatible embedded store, which runs on them, says what to install when it is absent.
 */
async function loadDevEngines(): Promise<DevEngines> {
  try {
    return await import('@city/dev-engines');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    throw new CityError(
      'SERVICE_UNAVAILABLE',
      "the embedded store 'dynalite' (CITY_EMBEDDED_STORE=dynalite) runs on the development engines package @city/dev-engines (dynalite, s3rver), which this install does not include: install with development dependencies (pnpm install in the workspace) or use the default store 'sqlite'",
      { cause },
    );
  }
}

async function openDynalite(dataDir: string, options: EmbeddedAuthOptions): Promise<OpenedStores> {
  const inWorker = options.enginesInWorker ?? true;
  const { startDynalite, startS3rver } = await loadDevEngines();
  const { createDynamoStores, createTables, ensureBucket } = await import('@city/db-integration/dynamodb');
  const dynamo = await startDynalite({ dataDir: join(dataDir, 'dynamodb'), inWorker });
  let s3: Awaited<ReturnType<DevEngines['startS3rver']>> | undefined;
  try {
    s3 = await startS3rver({ dataDir: join(dataDir, 's3'), inWorker });
    const storage = loadStorageConfigFromEnv({
      CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      CITY_S3_ENDPOINT: s3.endpoint,
      CITY_OUTBOX_DIR: join(dataDir, 'outbox'),
    });
    await createTables(storage);
    await ensureBucket(storage);
    const stores = createDynamoStores(storage, options.clock === undefined ? {} : { clock: options.clock });
    const s3Service = s3;
    return {
      stores,
      describe: { dynamodb: dynamo.endpoint, s3: s3.endpoint },
      stop: async () => {
        await stores.close();
        await s3Service.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await s3?.stop().catch(() => {});
    await dynamo.stop().catch(() => {});
    throw error;
  }
}
