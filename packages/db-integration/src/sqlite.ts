// SQLite (embedded, node:sqlite): no dependency beyond Node itself.
export {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from './sqlite/create-sqlite-stores.js';
export { SqliteInputError } from './sqlite/sqlite-input-error.js';
