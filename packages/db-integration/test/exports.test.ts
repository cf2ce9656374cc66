import { expect, it } from 'vitest';

it('the root entry exports exactly the engine-free API', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'DEFAULT_OUTBOX_MAX_BYTES',
    'DYNAMO_TABLE_SUFFIXES',
    'OutboxNotifier',
    'STORAGE_ENV_VARS',
    'StorageConfigError',
    'dynamoTableNames',
    'loadStorageConfigFromEnv',
  ]);
});

it('/sqlite exports exactly the SQLite adapter', async () => {
  expect(Object.keys(await import('../src/sqlite.js')).sort()).toEqual([
    'DEFAULT_AUDIT_RETENTION_DAYS',
    'ENDED_SESSIONS_KEPT_PER_USER',
    'REVOKED_DEVICES_KEPT_PER_USER',
    'SqliteInputError',
    'createSqliteStores',
  ]);
});

it('/dynamodb exports exactly the DynamoDB + S3 + SNS adapter', async () => {
  expect(Object.keys(await import('../src/dynamodb.js')).sort()).toEqual([
    'S3CapsuleStore',
    'S3CertificateBlobStore',
    'SnsNotifier',
    'createDynamoStores',
    'createTables',
    'ensureBucket',
    'ensureTopic',
  ]);
});

it('/mongodb exports exactly the MongoDB adapter', async () => {
  expect(Object.keys(await import('../src/mongodb.js')).sort()).toEqual([
    'MongoCapsuleStore',
    'MongoInputError',
    'createMongoStores',
  ]);
});
