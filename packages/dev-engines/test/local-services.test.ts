import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalServiceError } from '../src/local-service-error.js';
import { startDynalite } from '../src/start-dynalite.js';
import { startDynamoDbLocal } from '../src/start-dynamodb-local.js';
import { startMotoServer } from '../src/start-moto-server.js';
import { startS3rver } from '../src/start-s3rver.js';
import { javaAvailable, motoAvailable, skipUnless } from './helpers/availability.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'city-local-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const dynamo = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

const createTable = (client: DynamoDBClient, name: string) =>
  client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

describe('startDynalite', () => {
  it('serves the DynamoDB API on 127.0.0.1 and stops idempotently', async () => {
    const service = await startDynalite();
    expect(service.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = dynamo(service.endpoint);
    await createTable(client, 'local_test');
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['local_test']);
    client.destroy();
    await service.stop();
    await service.stop();
    const after = dynamo(service.endpoint);
    await expect(after.send(new ListTablesCommand({}))).rejects.toThrow();
    after.destroy();
  });

  it('keeps tables in dataDir across restarts', async () => {
    const dataDir = join(tempDir(), 'dynalite');
    const first = await startDynalite({ dataDir });
    const client = dynamo(first.endpoint);
    await createTable(client, 'persisted');
    client.destroy();
    await first.stop();

    const second = await startDynalite({ dataDir });
    const again = dynamo(second.endpoint);
    expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual(['persisted']);
    again.destroy();
    await second.stop();
  });
});

describe('startS3rver', () => {
  it('serves the S3 API and stops idempotently', async () => {
    const service = await startS3rver({ dataDir: tempDir() });
    const client = new S3Client({
      endpoint: service.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'local-test' }));
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['local-test']);
    client.destroy();
    await service.stop();
    await service.stop();
  });
});

describe.skipIf(skipUnless(javaAvailable))(
  'startDynamoDbLocal (needs Java 17+: apt-get install openjdk-17-jre-headless)',
  () => {
    it('starts the Java engine, answers, and stops idempotently', async () => {
      const service = await startDynamoDbLocal();
      const client = dynamo(service.endpoint);
      await createTable(client, 'local_java_test');
      expect((await client.send(new ListTablesCommand({}))).TableNames).toContain('local_java_test');
      client.destroy();
      await service.stop();
      await service.stop();
    }, 90_000);
  },
);

describe('startDynamoDbLocal without Java', () => {
  it('throws SERVICE_UNAVAILABLE naming what to install', async () => {
    const error = await startDynamoDbLocal({ javaPath: '/nonexistent/bin/java' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalServiceError);
    expect((error as LocalServiceError).code).toBe('SERVICE_UNAVAILABLE');
    expect((error as LocalServiceError).message).toMatch(/Java runtime/);
  });
});

describe.skipIf(skipUnless(motoAvailable))('startMotoServer (needs pip install "moto[server]")', () => {
  it('starts moto on 127.0.0.1 and stops idempotently', async () => {
    const service = await startMotoServer();
    expect(service.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${service.endpoint}/moto-api/`);
    expect(response.status).toBeLessThan(500);
    await service.stop();
    await service.stop();
  }, 60_000);
});

describe('startMotoServer without Python', () => {
  it('throws SERVICE_UNAVAILABLE naming pip install "moto[server]"', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await startMotoServer().catch((e: unknown) => e);
      expect((error as LocalServiceError).code).toBe('SERVICE_UNAVAILABLE');
      expect((error as LocalServiceError).message).toContain('pip install "moto[server]"');
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('local services in a worker thread', () => {
  it('dynalite inWorker: serves, persists to dataDir across restarts, stops idempotently', async () => {
    const dataDir = join(tempDir(), 'dynalite-worker');
    const first = await startDynalite({ dataDir, inWorker: true });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = dynamo(first.endpoint);
    await createTable(client, 'in_worker');
    // As on AWS, a new table is usable once DescribeTable reports it ACTIVE.
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: 'in_worker' });
    await client.send(
      new PutItemCommand({ TableName: 'in_worker', Item: { pk: { S: 'k' }, v: { S: 'flushed' } } }),
    );
    client.destroy();
    await first.stop();
    await first.stop();
    const gone = dynamo(first.endpoint);
    await expect(gone.send(new ListTablesCommand({}))).rejects.toThrow();
    gone.destroy();

    // Reopened in this thread: the worker's LevelDB was flushed and closed on stop.
    const second = await startDynalite({ dataDir });
    const again = dynamo(second.endpoint);
    const item = await again.send(new GetItemCommand({ TableName: 'in_worker', Key: { pk: { S: 'k' } } }));
    expect(item.Item?.v?.S).toBe('flushed');
    again.destroy();
    await second.stop();
  });

  it('s3rver inWorker: serves the S3 API and stops', async () => {
    const service = await startS3rver({ inWorker: true });
    const client = new S3Client({
      endpoint: service.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'worker-test' }));
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
      'worker-test',
    ]);
    client.destroy();
    await service.stop();
    await service.stop();
  });

  it('a busy port is SERVICE_START_FAILED from the worker too', async () => {
    const holder = await startDynalite();
    const port = Number(new URL(holder.endpoint).port);
    try {
      await expect(startDynalite({ port, inWorker: true })).rejects.toMatchObject({
        code: 'SERVICE_START_FAILED',
      });
    } finally {
      await holder.stop();
    }
  });
});
