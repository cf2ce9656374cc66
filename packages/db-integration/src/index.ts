// Local services

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
export type { LocalService } from './local/local-service.js';
export { LocalServiceError } from './local/local-service-error.js';
// MongoDB
export {
  MONGO_INSTALL_HINT,
  type MongoServer,
  type StartMongoServerOptions,
  startMongoServer,
} from './local/mongo-server.js';
export { type StartDynaliteOptions, startDynalite } from './local/start-dynalite.js';
export { type StartDynamoDbLocalOptions, startDynamoDbLocal } from './local/start-dynamodb-local.js';
export { type StartMotoServerOptions, startMotoServer } from './local/start-moto-server.js';
export { type StartS3rverOptions, startS3rver } from './local/start-s3rver.js';
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
