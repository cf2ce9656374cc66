/**
 * Test support for the SQLite adapter's own tests: a temporary root (removed after the file's
 * tests), one outbox notifier, and `open()` — the stores on a fresh database file (or a given one)
 * with a second, read-only `node:sqlite` connection on it that counts rows as another process would
 * see them. Everything opened is closed after each test; `cleanups` takes more.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach } from 'vitest';
import { OutboxNotifier } from '../../src/sns/outbox-notifier.js';
import {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from '../../src/sqlite/create-sqlite-stores.js';

export interface ObservedSqlite {
  readonly stores: SqliteStores;
  /** Rows of `table` matching `where` (SQL, with `args`), read through the observer connection. */
  readonly count: (table: string, where?: string, ...args: (number | string)[]) => number;
  readonly observer: DatabaseSync;
}

/** Registers the hooks of one test file; call it once at the top level. */
export function observedSqlite(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const notifier = new OutboxNotifier({ dir: join(root, 'outbox') });
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const open = (
    path = join(root, randomUUID(), 'city.sqlite'),
    options: Omit<Partial<SqliteStoresConfig>, 'path' | 'notifier'> = {},
  ): ObservedSqlite => {
    const stores = createSqliteStores({ path, notifier, ...options });
    const observer = new DatabaseSync(path, { readOnly: true });
    cleanups.push(() => stores.close());
    cleanups.push(() => observer.close());
    const count = (table: string, where = '1', ...args: (number | string)[]): number =>
      Number(observer.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args)?.n);
    return { stores, count, observer };
  };
  return { root, notifier, cleanups, open };
}
