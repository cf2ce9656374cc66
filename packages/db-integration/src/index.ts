// Configuration
export {
  type AwsCredentials,
  type DynamoStoresConfig,
  loadStorageConfigFromEnv,
  STORAGE_ENV_VARS,
  StorageConfigError,
  type StorageEnvVar,
} from './config/storage-config.js';
// DynamoDB + S3 + SNS
export {
  createDynamoStores,
  createTables,
  type DynamoStores,
  ensureBucket,
  ensureTopic,
} from './create-dynamo-stores.js';
export type { CreateTablesReport } from './dynamodb/create-tables.js';
export {
  DYNAMO_TABLE_SUFFIXES,
  type DynamoTableNames,
  dynamoTableNames,
} from './dynamodb/dynamo-table-names.js';
// MongoDB
export {
  createMongoStores,
  type MongoStores,
  type MongoStoresConfig,
} from './mongodb/create-mongo-stores.js';
export { MongoCapsuleStore, type MongoCapsuleStoreOptions } from './mongodb/mongo-capsule-store.js';
export { MongoInputError } from './mongodb/mongo-input-error.js';
export { type CapsuleStoreLike, S3CapsuleStore } from './s3/s3-capsule-store.js';
export { S3CertificateBlobStore } from './s3/s3-certificate-blob-store.js';
export type { NotificationTransport } from './sns/notification-transport.js';
export {
  type FlushResult,
  type OutboxEntry,
  OutboxNotifier,
  type OutboxNotifierOptions,
} from './sns/outbox-notifier.js';
export { SnsNotifier } from './sns/sns-notifier.js';
// SQLite (embedded, node:sqlite)
export {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from './sqlite/create-sqlite-stores.js';
export { SqliteInputError } from './sqlite/sqlite-input-error.js';
