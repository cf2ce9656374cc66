import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'DYNAMO_TABLE_SUFFIXES',
    'MongoCapsuleStore',
    'MongoInputError',
    'OutboxNotifier',
    'S3CapsuleStore',
    'S3CertificateBlobStore',
    'STORAGE_ENV_VARS',
    'SnsNotifier',
    'SqliteInputError',
    'StorageConfigError',
    'createDynamoStores',
    'createMongoStores',
    'createSqliteStores',
    'createTables',
    'dynamoTableNames',
    'ensureBucket',
    'ensureTopic',
    'loadStorageConfigFromEnv',
  ]);
});
