// SQLite (embedded, node:sqlite): no dependency beyond Node itself.
export { DEFAULT_AUDIT_RETENTION_DAYS } from './sqlite/_reclaimer.js';
export {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from './sqlite/create-sqlite-stores.js';
export { REVOKED_DEVICES_KEPT_PER_USER } from './sqlite/sqlite-device-store.js';
export { SqliteInputError } from './sqlite/sqlite-input-error.js';
export { ENDED_SESSIONS_KEPT_PER_USER } from './sqlite/sqlite-refresh-token-store.js';
