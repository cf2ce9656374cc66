/**
 * Builds a full DynamoDB `Stores` on a given DynamoDB endpoint plus an in-process s3rver and a
 * temporary outbox, with a random table prefix so runs never share tables.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalService, startS3rver } from '@city/dev-engines';
import { type DynamoStoresConfig, loadStorageConfigFromEnv } from '../../src/config/storage-config.js';
import {
  createDynamoStores,
  createTables,
  type DynamoStores,
  ensureBucket,
} from '../../src/create-dynamo-stores.js';

export interface DynamoFixture {
  readonly stores: DynamoStores;
  readonly config: DynamoStoresConfig;
  cleanup(): Promise<void>;
}

export async function dynamoFixture(
  engine: LocalService,
  extraEnv: Record<string, string> = {},
): Promise<DynamoFixture> {
  const s3 = await startS3rver();
  const outboxDir = mkdtempSync(join(tmpdir(), 'city-outbox-'));
  const config = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: engine.endpoint,
    CITY_TABLE_PREFIX: `t${randomBytes(4).toString('hex')}_`,
    CITY_S3_ENDPOINT: s3.endpoint,
    CITY_S3_BUCKET: `certs-${randomBytes(4).toString('hex')}`,
    CITY_OUTBOX_DIR: outboxDir,
    ...extraEnv,
  });
  await createTables(config);
  await ensureBucket(config);
  const stores = createDynamoStores(config);
  return {
    stores,
    config,
    cleanup: async () => {
      await stores.close();
      await s3.stop();
      await engine.stop();
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}
