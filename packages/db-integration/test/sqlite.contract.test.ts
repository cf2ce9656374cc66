/**
 * The shared store contract on the SQLite adapter (`node:sqlite`), on a database file in a
 * temporary directory, with a real OutboxNotifier beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxNotifier } from '../src/sns/outbox-notifier.js';
import { createSqliteStores } from '../src/sqlite/create-sqlite-stores.js';
import { defineStoreContract } from './contract/store-contract.js';

defineStoreContract('SQLite adapter (node:sqlite, file in WAL mode)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-sqlite-contract-'));
  const stores = createSqliteStores({
    path: join(dir, 'db', 'city.sqlite'),
    notifier: new OutboxNotifier({ dir: join(dir, 'outbox') }),
  });
  return {
    stores,
    cleanup: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
