/**
 * Internal: what every SQLite store shares — the one connection, the transaction statements,
 * the change counter behind `authStateVersion()`, and the mapping of engine errors to the port
 * errors (`ConflictError` for UNIQUE/PRIMARY KEY clashes, `StoreUnavailableError` for the rest).
 *
 * `DatabaseSync` is synchronous: a store method runs to completion (including a whole
 * `BEGIN IMMEDIATE … COMMIT`) before any other JavaScript in this process runs, so calls from
 * one process never interleave. Other processes (or other connections) are serialised by
 * SQLite's file locks; `busy_timeout` bounds how long a writer waits for them.
 *
 * Durability at the `auth` level is a group commit off the event loop: the connection runs at
 * `synchronous = NORMAL` (a commit writes its WAL frames but does not fsync them), every write
 * statement outside {@link SqliteContext.relaxed} counts in {@link SqliteContext.durableWrites},
 * and {@link SqliteContext.durable} fdatasyncs the `-wal` file on libuv's thread pool — one fsync
 * covering every commit made before it started, shared by all callers waiting at that moment. The
 * stores (`create-sqlite-stores.ts`) resolve a call that wrote only after that fsync, so what a
 * caller is told is stored survives a power loss exactly as with `FULL`, while the event loop
 * keeps serving requests (and handing password hashes to free cores) during the fsync.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { isCityError } from '@city/errors';
import { ConflictError, StoreUnavailableError } from '@city/ports';

/** Column list as SQLite names it in a constraint message (`users.username_key`) → `ConflictError.field`. */
export type UniqueFields = Readonly<Record<string, string>>;

/** SQLite extended result codes of a uniqueness clash. */
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;
/** Primary result codes of lock contention that outlasted `busy_timeout`. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/**
 * Auth-state writes committed in this process, per database file, by every connection to it: a
 * write through one connection changes the version every other connection of this process reports
 * at once, whatever their per-turn reading of `PRAGMA data_version` says.
 */
const processWritesByFile = new Map<string, { count: number }>();

/** When commits are fsynced (see `SqliteStoresConfig.synchronous`). */
export type SqliteSynchronous = 'auth' | 'full' | 'normal';

/** Statements that change rows: their runs count as writes (see {@link SqliteContext.durableWrites}). */
const WRITE_STATEMENT = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

const ignore = (): void => undefined;

/** The connection and shared machinery of one `createSqliteStores` instance. */
export class SqliteContext {
  readonly db: DatabaseSync;
  /** The database file (absolute) or `:memory:`. */
  readonly path: string;
  readonly #busyTimeoutMs: number;
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #dataVersion: StatementSync;
  #closed = false;
  /**
   * Successful writes to auth state (users, devices, families, revoked ids/serials) by this
   * process to this file (shared with the other connections of this process; per connection for
   * `:memory:`).
   */
  readonly #authWrites: { count: number };
  /** `PRAGMA data_version` as read in the current event-loop turn, until that turn ends. */
  #turnDataVersion: number | undefined;
  readonly #endTurn = (): void => {
    this.#turnDataVersion = undefined;
  };

  /** Whether acknowledged writes wait for {@link durable} (the `auth` level on a file). */
  readonly groupCommit: boolean;
  /** Write statements run outside {@link relaxed} on this connection so far. */
  #durableWrites = 0;
  /** Depth of {@link relaxed} calls running now. */
  #relaxedDepth = 0;
  /** The `-wal` file, opened at the first {@link durable} call. */
  #wal: Promise<FileHandle> | undefined;
  /** The fdatasync running now, and the one queued to start after it. */
  #syncing: Promise<void> | undefined;
  #queuedSync: Promise<void> | undefined;

  constructor(db: DatabaseSync, path: string, busyTimeoutMs: number, groupCommit = false) {
    this.db = db;
    this.groupCommit = groupCommit && path !== ':memory:';
    this.path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#dataVersion = this.prepare('PRAGMA data_version');
    if (path === ':memory:') {
      this.#authWrites = { count: 0 };
    } else {
      let shared = processWritesByFile.get(path);
      if (shared === undefined) {
        shared = { count: 0 };
        processWritesByFile.set(path, shared);
      }
      this.#authWrites = shared;
    }
  }

  /**
   * Prepares `sql` once; rows come back as arrays in select-list order (no per-row key objects).
   * With group commit, each run of a write statement (INSERT, UPDATE, DELETE, REPLACE — also when
   * read through `get`/`all` for its RETURNING rows) outside {@link relaxed} counts in
   * {@link durableWrites}.
   */
  prepare(sql: string): StatementSync {
    const statement = this.db.prepare(sql);
    statement.setReturnArrays(true);
    if (this.groupCommit && WRITE_STATEMENT.test(sql)) this.#countWrites(statement);
    return statement;
  }

  #countWrites(statement: StatementSync): void {
    const { run, get, all } = statement;
    const counted = (): void => {
      if (this.#relaxedDepth === 0) this.#durableWrites += 1;
    };
    statement.run = ((...params: unknown[]) => {
      const result = Reflect.apply(run, statement, params) as ReturnType<StatementSync['run']>;
      if (Number(result.changes) > 0) counted();
      return result;
    }) as StatementSync['run'];
    statement.get = ((...params: unknown[]) => {
      const row = Reflect.apply(get, statement, params) as ReturnType<StatementSync['get']>;
      counted();
      return row;
    }) as StatementSync['get'];
    statement.all = ((...params: unknown[]) => {
      const rows = Reflect.apply(all, statement, params) as ReturnType<StatementSync['all']>;
      counted();
      return rows;
    }) as StatementSync['all'];
  }

  /**
   * How many write statements ran outside {@link relaxed} on this connection: a store call that
   * moved it wrote something its caller must not be told is stored before {@link durable}.
   */
  get durableWrites(): number {
    return this.#durableWrites;
  }

  /**
   * Resolves once every commit made on this connection before the call is on disk: an fdatasync
   * of the `-wal` file on the thread pool (see the module comment). A sync already running may
   * have started before the caller's commit, so callers arriving during it share the next one.
   * Without group commit (`full`, `normal`, `:memory:`) it resolves at once.
   *
   * @throws {StoreUnavailableError} when the write-ahead log cannot be opened or synced
   */
  durable(): Promise<void> {
    if (!this.groupCommit) return Promise.resolve();
    const running = this.#syncing;
    if (running === undefined) return this.#startSync();
    this.#queuedSync ??= running.then(ignore, ignore).then(() => {
      this.#queuedSync = undefined;
      return this.#syncing ?? this.#startSync();
    });
    return this.#queuedSync;
  }

  #startSync(): Promise<void> {
    const sync = (async () => {
      try {
        if (this.#closed) throw new Error('the connection is closed');
        this.#wal ??= open(`${this.path}-wal`, 'r');
        await (await this.#wal).datasync();
      } catch (error) {
        this.#wal = undefined;
        throw new StoreUnavailableError(
          `the SQLite store "${this.path}" could not sync its write-ahead log: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    })();
    this.#syncing = sync;
    const done = (): void => {
      if (this.#syncing === sync) this.#syncing = undefined;
    };
    sync.then(done, done);
    return sync;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs a write whose loss at a power cut is harmless (a counter, a login challenge, an audit
   * line): its statements do not count in {@link durableWrites}, so the store call returns without
   * waiting for an fsync; it reaches the disk with the next one, since the write-ahead log is
   * synced as a whole. Without group commit it just runs `write`.
   */
  relaxed<T>(write: () => T): T {
    this.#relaxedDepth += 1;
    try {
      return write();
    } finally {
      this.#relaxedDepth -= 1;
    }
  }

  /** Records a committed change of auth state made through this connection. */
  authStateChanged(): void {
    this.#authWrites.count += 1;
  }

  /**
   * This process's auth-write count for the file plus `PRAGMA data_version`, which changes
   * whenever another connection (another process) commits; either moving changes the string.
   *
   * The write count is exact: a change made in this process is seen by the next call. The
   * engine's data version costs a few system calls (file-lock probes), so it is read once per
   * event-loop turn and shared by the calls of that turn (under load, the requests that arrived
   * together): a commit by another process is seen from the next turn of this one — at most one
   * turn later than an exact read, a turn being the time the calls already running in it take.
   */
  authStateVersion(): string {
    if (this.#closed) throw new StoreUnavailableError(`the SQLite store "${this.path}" is closed`);
    let dataVersion = this.#turnDataVersion;
    if (dataVersion === undefined) {
      let row: unknown;
      try {
        row = this.#dataVersion.get();
      } catch (error) {
        throw this.fail(error, 'authStateVersion');
      }
      dataVersion = (row as readonly number[])[0] as number;
      this.#turnDataVersion = dataVersion;
      setImmediate(this.#endTurn);
    }
    return `${this.#authWrites.count}.${dataVersion}`;
  }

  /**
   * Runs `work` inside `BEGIN IMMEDIATE … COMMIT` (the write lock is taken up front, so a
   * read-then-write cannot be overtaken by another process); any throw rolls back and is rethrown.
   */
  transaction<T>(work: () => T): T {
    this.#begin.run();
    try {
      const result = work();
      this.#commit.run();
      return result;
    } catch (error) {
      if (this.db.isOpen && this.db.isTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // The original error is the one worth reporting; SQLite rolls back on its own
          // when a statement error already ended the transaction.
        }
      }
      throw error;
    }
  }

  /**
   * The record of the row `statement` returns for `params`, or `undefined` when there is none.
   * Running the statement and parsing the row both fail as `what` (a `StoreUnavailableError`),
   * so neither an engine error nor a damaged row reaches the caller raw.
   */
  readRecord<T>(statement: StatementSync, what: string, ...params: SQLInputValue[]): T | undefined {
    try {
      const row = statement.get(...params);
      return row === undefined ? undefined : parseRecord<T>(row);
    } catch (error) {
      throw this.fail(error, what);
    }
  }

  /** The records of every row `statement` returns for `params`, failing as {@link readRecord} does. */
  readRecords<T>(statement: StatementSync, what: string, ...params: SQLInputValue[]): T[] {
    try {
      return statement.all(...params).map((row) => parseRecord<T>(row));
    } catch (error) {
      throw this.fail(error, what);
    }
  }

  /** Maps a failure of `what` to the port error to throw (CityErrors pass through unchanged). */
  fail(error: unknown, what: string, unique?: UniqueFields): Error {
    if (isCityError(error)) return error;
    if (this.#closed) {
      return new StoreUnavailableError(`the SQLite store "${this.path}" is closed (${what})`, {
        cause: error,
      });
    }
    const sqlite = error as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown };
    if (sqlite.code === 'ERR_SQLITE_ERROR' && typeof sqlite.errcode === 'number') {
      const errcode = sqlite.errcode;
      if (errcode === SQLITE_CONSTRAINT_UNIQUE || errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
        const message = typeof sqlite.message === 'string' ? sqlite.message : '';
        const columns = message.slice(message.indexOf('failed: ') + 'failed: '.length);
        const field = unique?.[columns];
        if (field !== undefined) return new ConflictError(field, `${field} already exists`, { cause: error });
        return new ConflictError(columns, `${columns} already exists`, { cause: error });
      }
      const primary = errcode & 0xff;
      if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
        return new StoreUnavailableError(
          `the SQLite store "${this.path}" stayed locked by another connection for more than ${this.#busyTimeoutMs} ms (${what})`,
          { cause: error },
        );
      }
      const reason = typeof sqlite.errstr === 'string' ? sqlite.errstr : 'engine error';
      return new StoreUnavailableError(`the SQLite store "${this.path}" failed: ${reason} (${what})`, {
        cause: error,
      });
    }
    return new StoreUnavailableError(`the SQLite store "${this.path}" failed (${what})`, { cause: error });
  }

  /** Waits for the fsyncs running or queued now (never rejects). */
  async settle(): Promise<void> {
    await Promise.all([this.#syncing, this.#queuedSync].map((sync) => sync?.catch(ignore)));
  }

  /** Closes the connection once (and the write-ahead log's handle); later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const wal = this.#wal;
    this.#wal = undefined;
    wal?.then((handle) => handle.close()).catch(ignore);
    try {
      // Refreshes the planner statistics of tables that changed a lot, as SQLite recommends at close.
      this.db.exec('PRAGMA optimize');
    } catch {
      // Statistics are an optimisation; closing must not fail because of them.
    }
    this.db.close();
  }
}

/** Parses the stored `record` column at `index` of a row; rows are written only by this adapter, from validated records. */
export function parseRecord<T>(row: unknown, index = 0): T {
  return JSON.parse((row as readonly string[])[index] as string) as T;
}
