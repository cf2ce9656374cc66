// Engine-free: the AWS storage configuration and the notification outbox. Each adapter family has
// its own entry point (`@city/db-integration/sqlite`, `/dynamodb`, `/mongodb`), so importing one
// loads no other family's SDK.
export {
  type AwsCredentials,
  type DynamoStoresConfig,
  loadStorageConfigFromEnv,
  STORAGE_ENV_VARS,
  StorageConfigError,
  type StorageEnvVar,
} from './config/storage-config.js';
export {
  DYNAMO_TABLE_SUFFIXES,
  type DynamoTableNames,
  dynamoTableNames,
} from './dynamodb/dynamo-table-names.js';
export type { NotificationTransport } from './sns/notification-transport.js';
export {
  DEFAULT_OUTBOX_MAX_BYTES,
  type FlushResult,
  type OutboxEntry,
  OutboxNotifier,
  type OutboxNotifierOptions,
} from './sns/outbox-notifier.js';
