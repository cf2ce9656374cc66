/**
 * The storage engines the end-to-end suites run on: dynalite + s3rver always (pure JS), DynamoDB
 * Local + s3rver when Java is present, a MongoDB wire server when one can be found, and the
 * in-memory double for the fastest feedback. Started once per test file.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStorageConfigFromEnv, OutboxNotifier } from '@city/db-integration';
import { createDynamoStores, createTables, ensureBucket } from '@city/db-integration/dynamodb';
import { createMongoStores } from '@city/db-integration/mongodb';
import { createSqliteStores } from '@city/db-integration/sqlite';
import {
  type LocalService,
  startDynalite,
  startDynamoDbLocal,
  startMongoServer,
  startS3rver,
} from '@city/dev-engines';
import type { Clock, Stores } from '@city/ports';
import { createMemoryStores } from './memory-stores.js';

export interface OpenedStores {
  readonly stores: Stores;
  close(): Promise<void>;
}

export interface StoreEngine {
  readonly name: string;
  /** Why the engine cannot run here (and what to install), or undefined when it can. */
  readonly skipReason: string | undefined;
  open(clock: Clock): Promise<OpenedStores>;
}

export const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

const javaAvailable = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

async function dynamoOn(engine: LocalService, clock: Clock): Promise<OpenedStores> {
  const s3 = await startS3rver();
  const outboxDir = mkdtempSync(join(tmpdir(), 'city-core-outbox-'));
  const config = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: engine.endpoint,
    CITY_TABLE_PREFIX: `c${randomBytes(4).toString('hex')}_`,
    CITY_S3_ENDPOINT: s3.endpoint,
    CITY_S3_BUCKET: `core-${randomBytes(4).toString('hex')}`,
    CITY_OUTBOX_DIR: outboxDir,
  });
  await createTables(config);
  await ensureBucket(config);
  const stores = createDynamoStores(config, { clock });
  return {
    stores,
    close: async () => {
      await stores.close();
      await s3.stop();
      await engine.stop();
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}

export const memoryEngine: StoreEngine = {
  name: 'memory',
  skipReason: undefined,
  open: async () => ({ stores: createMemoryStores(), close: async () => {} }),
};

export const dynaliteEngine: StoreEngine = {
  name: 'dynalite+s3rver',
  skipReason: undefined,
  open: async (clock) => dynamoOn(await startDynalite(), clock),
};

export const dynamoDbLocalEngine: StoreEngine = {
  name: 'dynamodb-local+s3rver',
  skipReason:
    javaAvailable || inCi
      ? undefined
      : 'needs Java 17+ for DynamoDB Local: apt-get install openjdk-17-jre-headless',
  open: async (clock) => dynamoOn(await startDynamoDbLocal(), clock),
};

const mongoProbe = inCi || process.env.MONGODB_URI !== undefined ? undefined : await probeMongo();

async function probeMongo(): Promise<string | undefined> {
  try {
    const server = await startMongoServer({ startTimeoutMs: 15_000 });
    await server.stop();
    return undefined;
  } catch (error) {
    return `needs a MongoDB server: set MONGODB_URI or install FerretDB v1 (${error instanceof Error ? error.message.split('\n')[0] : 'unavailable'})`;
  }
}

export const mongoEngine: StoreEngine = {
  name: 'mongodb',
  skipReason: mongoProbe,
  open: async () => {
    const server = await startMongoServer();
    const outboxDir = mkdtempSync(join(tmpdir(), 'city-core-outbox-'));
    const notifier = new OutboxNotifier({ dir: outboxDir });
    const stores = await createMongoStores({
      uri: server.uri,
      dbName: `city_core_${randomUUID().slice(0, 8)}`,
      notifier,
    });
    return {
      stores,
      close: async () => {
        await stores.close();
        await server.stop();
        rmSync(outboxDir, { recursive: true, force: true });
      },
    };
  },
};

/** The embedded default: SQLite in a temp file (with `authStateVersion`, so the access cache is on). */
export const sqliteEngine: StoreEngine = {
  name: 'sqlite',
  skipReason: undefined,
  open: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-core-sqlite-'));
    const notifier = new OutboxNotifier({ dir: join(dir, 'outbox') });
    const stores = createSqliteStores({ path: join(dir, 'city.db'), notifier });
    return {
      stores,
      close: async () => {
        await stores.close();
        await notifier.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Every real engine, for the whole registration story. */
export const realEngines: readonly StoreEngine[] = [
  sqliteEngine,
  dynaliteEngine,
  dynamoDbLocalEngine,
  mongoEngine,
];
