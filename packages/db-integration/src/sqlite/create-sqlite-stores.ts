/**
 * `createSqliteStores`: every @city/ports port on one SQLite database file through Node's
 * built-in `node:sqlite` (`DatabaseSync`), in process — no server, no HTTP, no driver.
 *
 * Opening: the parent directory is created (0700) when missing and a new file is created 0600
 * before SQLite opens it (SQLite gives its `-wal`/`-shm` files the database file's mode); then
 * WAL journal mode (readers never block the writer, and a commit needs no fsync of the database
 * file), `synchronous` at the `auth` level by default (a call that changed accounts, devices,
 * sessions, revocations, pairing or recovery items resolves only after the WAL holding its commit
 * is fsynced — a group commit on the thread pool, see `_sqlite-context.ts` — so an acknowledged
 * write survives a process crash and a power loss; counters, login challenges and audit lines
 * ride on the next fsync; `normal` on request fsyncs only at checkpoints:
 * a commit survives a process crash, a power loss may lose the last commits but never corrupts),
 * `busy_timeout` for other processes' locks, and the schema of
 * `_schema.ts` inside `BEGIN IMMEDIATE` with its version in `PRAGMA user_version`. The schema
 * has no foreign keys (records of different ports are independent, as on DynamoDB), so
 * `foreign_keys` stays off.
 *
 * Every statement is prepared once here. Store methods are `async` because the ports are, but
 * do their work synchronously: one call is a bound statement plus `JSON.parse`, and a
 * read-check-write runs inside one `BEGIN IMMEDIATE … COMMIT` that no other JavaScript of this
 * process can interleave with; other processes are serialised by SQLite's locks. Long-expired
 * challenges, pairing tokens, revoked token ids, sessions, finished counters, CRL entries of
 * expired certificates and audit events past their retention are reclaimed in bounded batches
 * piggybacked on every 128th of their writes (`_reclaimer.ts`); revoked devices and ended
 * sessions are capped per user where they are written.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Notifier, type Stores, StoreUnavailableError } from '@city/ports';
import { requireObject } from './_guards.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, SqliteReclaimer } from './_reclaimer.js';
import { MIGRATIONS, SCHEMA_VERSION } from './_schema.js';
import { SqliteContext, type SqliteSynchronous } from './_sqlite-context.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import { SqliteCertificateBlobStore } from './sqlite-certificate-blob-store.js';
import { SqliteCertificateRevocationStore } from './sqlite-certificate-revocation-store.js';
import { SqliteChallengeStore } from './sqlite-challenge-store.js';
import { SqliteCounterStore } from './sqlite-counter-store.js';
import { SqliteDeploymentStore } from './sqlite-deployment-store.js';
import { SqliteDeviceStore } from './sqlite-device-store.js';
import { SqliteInputError } from './sqlite-input-error.js';
import { SqlitePairingTokenStore } from './sqlite-pairing-token-store.js';
import { SqliteRecoveryCodeStore } from './sqlite-recovery-code-store.js';
import { SqliteRefreshTokenStore } from './sqlite-refresh-token-store.js';
import { SqliteRevocationList } from './sqlite-revocation-list.js';
import { SqliteServiceClientStore } from './sqlite-service-client-store.js';
import { SqliteUserStore } from './sqlite-user-store.js';

/** Configuration of {@link createSqliteStores}. */
export interface SqliteStoresConfig {
  /** Database file path (relative paths resolve against the working directory), or `:memory:`. */
  readonly path: string;
  /** Where notifications go (an OutboxNotifier, or one wrapping an SnsNotifier). */
  readonly notifier: Notifier;
  /** How long a write waits for another process's lock before `StoreUnavailableError` (default 5000 ms). */
  readonly busyTimeoutMs?: number | undefined;
  /**
   * When commits are fsynced. `auth` (default): a store call that changed accounts, devices,
   * sessions, revocations, pairing or recovery items resolves only after the write-ahead log is
   * fsynced (it survives a power loss, and so does everything committed before it); the fsync runs
   * on the thread pool and is shared by every call waiting at that moment (group commit), so the
   * event loop never waits on the disk. Rate-limit and lockout counters, login challenges and audit
   * lines do not wait and reach the disk with the next fsync or checkpoint. `full`: SQLite fsyncs
   * every commit inline (the event loop waits). `normal`: only checkpoints fsync (a commit survives
   * a process crash, a power loss may undo the last ones).
   */
  readonly synchronous?: SqliteSynchronous | undefined;
  /**
   * Audit events older than this many days are deleted, in bounded batches (default 400; 0 or
   * absent = the default). The trail is bounded by age only, never per user.
   */
  readonly auditRetentionDays?: number | undefined;
}

/** The SQLite stores: every port, the database path, and a cheap change marker for caches. */
export interface SqliteStores extends Stores {
  /** The absolute database file path (or `:memory:`). */
  readonly path: string;
  /**
   * Changes whenever a user, device, refresh family, revoked token id or revoked certificate
   * was written through these stores, and whenever another connection or process committed.
   */
  readonly authStateVersion: () => string;
  /** The `synchronous` level in force on the connection, read back from SQLite after it was set. */
  readonly synchronous: SqliteSynchronous;
}

const MEMORY = ':memory:';
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const MAX_BUSY_TIMEOUT_MS = 600_000;
/** Longest audit retention accepted (100 years). */
const MAX_AUDIT_RETENTION_DAYS = 36_500;

/**
 * Opens (creating if needed) the SQLite database at `config.path` and returns every port on it.
 *
 * @throws {SqliteInputError} when `path`, `notifier`, `busyTimeoutMs` or `auditRetentionDays` is missing or malformed.
 * @throws {StoreUnavailableError} when the file cannot be created or opened, is not a SQLite
 *   database, or has a newer schema (the message names the path).
 * @example
 * ```ts
 * const stores = createSqliteStores({ path: '.city/city.sqlite', notifier: new OutboxNotifier({ dir: '.city/outbox' }) });
 * await stores.users.getByUuid(uuid);
 * await stores.close();
 * ```
 */
export function createSqliteStores(config: SqliteStoresConfig): SqliteStores {
  requireObject('config', config);
  const { path, notifier } = config;
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096 || path.includes('\u0000')) {
    throw new SqliteInputError('path', '"path" expected a file path or ":memory:"');
  }
  if (typeof notifier !== 'object' || notifier === null || typeof notifier.publish !== 'function') {
    throw new SqliteInputError('notifier', '"notifier" expected a Notifier');
  }
  const busyTimeoutMs = config.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > MAX_BUSY_TIMEOUT_MS) {
    throw new SqliteInputError(
      'busyTimeoutMs',
      `"busyTimeoutMs" expected an integer in 0..${MAX_BUSY_TIMEOUT_MS}`,
    );
  }

  const synchronous = config.synchronous ?? 'auth';
  if (synchronous !== 'auth' && synchronous !== 'full' && synchronous !== 'normal') {
    throw new SqliteInputError('synchronous', '"synchronous" expected "auth", "full" or "normal"');
  }

  const auditRetentionDays =
    config.auditRetentionDays === undefined || config.auditRetentionDays === 0
      ? DEFAULT_AUDIT_RETENTION_DAYS
      : config.auditRetentionDays;
  if (
    !Number.isSafeInteger(auditRetentionDays) ||
    auditRetentionDays < 1 ||
    auditRetentionDays > MAX_AUDIT_RETENTION_DAYS
  ) {
    throw new SqliteInputError(
      'auditRetentionDays',
      `"auditRetentionDays" expected an integer in 0..${MAX_AUDIT_RETENTION_DAYS}`,
    );
  }

  const file = path === MEMORY ? MEMORY : resolve(path);
  if (file !== MEMORY) prepareFile(file);

  let db: DatabaseSync | undefined;
  let ctx: SqliteContext;
  let stores: Omit<SqliteStores, 'path' | 'notifier' | 'authStateVersion' | 'synchronous' | 'close'>;
  let synchronousInForce: SqliteSynchronous;
  try {
    db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    db.exec('PRAGMA journal_mode = WAL');
    // `auth` runs at NORMAL: its fsyncs are the group commits of SqliteContext.durable.
    const wanted = synchronous === 'full' ? 2 : 1;
    db.exec(`PRAGMA synchronous = ${wanted === 2 ? 'FULL' : 'NORMAL'}`);
    // 2 is FULL, 1 NORMAL (SQLite's numbering); anything else means the pragma did not apply.
    const level = Number(db.prepare('PRAGMA synchronous').get()?.synchronous);
    if (level !== wanted) throw new Error(`PRAGMA synchronous reads back ${level}, not ${wanted}`);
    synchronousInForce = synchronous;
    migrate(db, file);
    ctx = new SqliteContext(db, file, busyTimeoutMs, synchronous === 'auth');
    // One reclaimer for every reclaimed table: their writes share one sweep counter.
    const reclaimer = new SqliteReclaimer(ctx, auditRetentionDays);
    const acknowledged = durablyAcknowledged(ctx);
    stores = acknowledged({
      users: new SqliteUserStore(ctx),
      devices: new SqliteDeviceStore(ctx),
      pairingTokens: new SqlitePairingTokenStore(ctx, reclaimer),
      challenges: new SqliteChallengeStore(ctx, reclaimer),
      recoveryCodes: new SqliteRecoveryCodeStore(ctx),
      refreshTokens: new SqliteRefreshTokenStore(ctx, reclaimer),
      revocations: new SqliteRevocationList(ctx, reclaimer),
      certificateRevocations: new SqliteCertificateRevocationStore(ctx, reclaimer),
      counters: new SqliteCounterStore(ctx, reclaimer),
      audit: new SqliteAuditLog(ctx, reclaimer),
      certificates: new SqliteCertificateBlobStore(ctx),
      deployment: new SqliteDeploymentStore(ctx),
      serviceClients: new SqliteServiceClientStore(ctx),
    });
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already closed or never opened; the open failure is what gets reported.
    }
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`cannot open the SQLite store "${file}": ${describe(error)}`, {
      cause: error,
    });
  }

  return {
    ...stores,
    path: file,
    notifier,
    authStateVersion: () => ctx.authStateVersion(),
    synchronous: synchronousInForce,
    async close() {
      await ctx.settle();
      ctx.close();
    },
  };
}

/**
 * With group commit, every store method is wrapped so that a call whose synchronous body ran a
 * counted write (see `SqliteContext.durableWrites`) resolves only after `ctx.durable()`. The
 * store methods do all their SQLite work before their first `await` (they have none), so the
 * count read right after the call sees exactly this call's writes: reads never wait for another
 * request's fsync. Without group commit the stores are returned as they are.
 */
function durablyAcknowledged(ctx: SqliteContext) {
  return <T extends Record<string, object>>(stores: T): T => {
    if (!ctx.groupCommit) return stores;
    const wrapped: Record<string, object> = {};
    for (const [name, store] of Object.entries(stores)) wrapped[name] = acknowledgeAfterSync(store, ctx);
    return wrapped as T;
  };
}

function acknowledgeAfterSync<S extends object>(store: S, ctx: SqliteContext): S {
  const facade = Object.create(store) as Record<string, unknown>;
  for (
    let proto = Object.getPrototypeOf(store);
    proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = (store as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof method !== 'function' || Object.hasOwn(facade, name)) continue;
      facade[name] = async (...args: unknown[]) => {
        const before = ctx.durableWrites;
        const pending = (method as (...a: unknown[]) => unknown).apply(store, args);
        const wrote = ctx.durableWrites !== before;
        const result = await pending;
        if (wrote) await ctx.durable();
        return result;
      };
    }
  }
  return facade as S;
}

/** Creates the parent directory (0700) and an empty database file (0600) when they are missing. */
function prepareFile(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreUnavailableError(
      `cannot create the directory "${dir}" of the SQLite store "${file}": ${describe(error)}`,
      { cause: error },
    );
  }
  try {
    // SQLite treats an empty file as a new database; creating it here sets the mode atomically.
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return;
    throw new StoreUnavailableError(`cannot create the SQLite store "${file}": ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * Creates, upgrades or checks the schema. The version is read again once `BEGIN IMMEDIATE` holds
 * the write lock, so of several processes opening an old file at once exactly one runs each
 * (non-idempotent) migration step and the others find the file already upgraded.
 */
function migrate(db: DatabaseSync, file: string): void {
  const readVersion = (): number => Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  const tooNew = (found: number): StoreUnavailableError =>
    new StoreUnavailableError(
      `the SQLite store "${file}" has schema version ${found}; this version of @city/db-integration reads up to ${SCHEMA_VERSION}`,
    );
  const found = readVersion();
  if (found > SCHEMA_VERSION) throw tooNew(found);
  if (found === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const locked = readVersion();
    if (locked > SCHEMA_VERSION) throw tooNew(locked);
    for (let version = locked; version < SCHEMA_VERSION; version += 1) {
      db.exec(MIGRATIONS[version] as string);
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** A short reason for an open failure (SQLite's or the file system's). */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && code !== 'ERR_SQLITE_ERROR' && !message.includes(code)
    ? `${code}: ${message}`
    : message;
}
