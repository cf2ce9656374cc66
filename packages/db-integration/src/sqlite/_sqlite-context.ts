/**
 * Internal: what every SQLite store shares — the one connection, the transaction statements,
 * the change counter behind `authStateVersion()`, and the mapping of engine errors to the port
 * errors (`ConflictError` for UNIQUE/PRIMARY KEY clashes, `StoreUnavailableError` for the rest).
 *
 * `DatabaseSync` is synchronous: a store method runs to completion (including a whole
 * `BEGIN IMMEDIATE … COMMIT`) before any other JavaScript in this process runs, so calls from
 * one process never interleave. Other processes (or other connections) are serialised by
 * SQLite's file locks; `busy_timeout` bounds how long a writer waits for them.
 */
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

  /** Set when the connection runs at FULL and {@link relaxed} writes step down to NORMAL. */
  readonly #relax: { readonly normal: StatementSync; readonly full: StatementSync } | undefined;

  constructor(db: DatabaseSync, path: string, busyTimeoutMs: number, relaxable = false) {
    this.db = db;
    this.#relax = relaxable
      ? { normal: db.prepare('PRAGMA synchronous = NORMAL'), full: db.prepare('PRAGMA synchronous = FULL') }
      : undefined;
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

  /** Prepares `sql` once; rows come back as arrays in select-list order (no per-row key objects). */
  prepare(sql: string): StatementSync {
    const statement = this.db.prepare(sql);
    statement.setReturnArrays(true);
    return statement;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs a write whose loss at a power cut is harmless (a counter, a login challenge, an audit
   * line) without an fsync at its commit; it reaches the disk with the next fsynced commit, since
   * the write-ahead log is synced as a whole. Without the `auth` level it just runs `write`.
   */
  relaxed<T>(write: () => T): T {
    const relax = this.#relax;
    if (relax === undefined) return write();
    relax.normal.run();
    try {
      return write();
    } finally {
      relax.full.run();
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

  /** Closes the connection once; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
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
