/**
 * The store deadline ends the engine call, not only the caller's wait: the SDK attempt in flight
 * when it passes is cancelled (its connection closed by the client) and no retry follows. The
 * endpoint here accepts and never answers, and each attempt alone would wait 60 s, so an attempt
 * left running would hold its connection open far beyond these tests' timeout. The caller still
 * gets STORE_UNAVAILABLE with the breaker's Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StoreUnavailableError } from '@city/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStorageConfigFromEnv } from '../src/config/storage-config.js';
import { createDynamoStores, type DynamoStores } from '../src/create-dynamo-stores.js';
import { awsClientOptions } from '../src/lib/aws-client-options.js';
import { guardEngineCalls } from '../src/lib/engine-guard.js';
import { SilentEndpoint } from './helpers/silent-endpoint.js';

/** Longer than the SDK's standard retry back-off after a first or second attempt (≤ 0.4 s). */
const RETRY_WINDOW_MS = 1_000;
/** Each attempt alone may wait this long: only the deadline can end it within a test. */
const ATTEMPT_TIMEOUT_MS = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function silentEndpoint(): Promise<{ endpoint: SilentEndpoint; url: string }> {
  const endpoint = new SilentEndpoint();
  const url = await endpoint.listen();
  cleanups.push(() => endpoint.close());
  return { endpoint, url };
}

/** An S3 client on `url` whose single attempt would wait a minute for an answer (closed after the test). */
function s3Client(url: string, maxAttempts?: number): S3Client {
  const s3 = new S3Client({
    ...awsClientOptions({
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestTimeoutMs: ATTEMPT_TIMEOUT_MS,
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
    }),
    forcePathStyle: true,
  });
  cleanups.push(() => s3.destroy());
  return s3;
}

function expectDeadlineError(error: unknown, deadlineMs: number, openMs: number): void {
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
  expect((error as StoreUnavailableError).message).toMatch(
    new RegExp(`did not answer within ${deadlineMs} ms`),
  );
  // Retry-After: the time the breaker now refuses calls for.
  expect((error as StoreUnavailableError).retryAfterSeconds).toBe(Math.ceil(openMs / 1000));
}

describe('the store deadline cancels the SDK attempt in flight', () => {
  it('DynamoDB: one request reaches a silent engine, its connection is closed at the deadline, no retry follows', async () => {
    const { endpoint, url } = await silentEndpoint();
    const outboxDir = mkdtempSync(join(tmpdir(), 'city-outbox-'));
    cleanups.push(() => rmSync(outboxDir, { recursive: true, force: true }));
    const stores: DynamoStores = createDynamoStores(
      loadStorageConfigFromEnv({
        CITY_DYNAMODB_ENDPOINT: url,
        CITY_S3_ENDPOINT: url,
        CITY_OUTBOX_DIR: outboxDir,
        CITY_STORE_DEADLINE_MS: '300',
        CITY_DYNAMODB_REQUEST_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
        CITY_DYNAMODB_MAX_ATTEMPTS: '3',
      }),
    );
    cleanups.push(() => stores.close());

    const error = await stores.users.getByUuid(randomUUID()).catch((e: unknown) => e);
    // The breaker of the AWS composition stays open 2 s after a deadline.
    expectDeadlineError(error, 300, 2_000);
    expect(endpoint.requests).toBe(1);

    await endpoint.allClosed();
    await sleep(RETRY_WINDOW_MS);
    expect(endpoint.requests).toBe(1);
    expect(endpoint.openConnections).toBe(0);
  }, 20_000);

  it('S3: the same for a guarded S3 client', async () => {
    const { endpoint, url } = await silentEndpoint();
    const s3 = s3Client(url, 3);
    guardEngineCalls(s3, {
      label: 'the certificate store (S3)',
      deadlineMs: 300,
      openMs: 3_000,
      failureThreshold: 3,
    });

    const error = await s3
      .send(new GetObjectCommand({ Bucket: 'certificates', Key: 'missing' }))
      .catch((e: unknown) => e);
    expectDeadlineError(error, 300, 3_000);
    expect(endpoint.requests).toBe(1);

    await endpoint.allClosed();
    await sleep(RETRY_WINDOW_MS);
    expect(endpoint.requests).toBe(1);
    expect(endpoint.openConnections).toBe(0);
  }, 20_000);

  it("a caller's own abort signal still ends the call, and is not turned into a deadline error", async () => {
    const { endpoint, url } = await silentEndpoint();
    const s3 = s3Client(url);
    guardEngineCalls(s3, { label: 'S3', deadlineMs: 30_000, openMs: 3_000, failureThreshold: 3 });
    const controller = new AbortController();
    const call = s3
      .send(new GetObjectCommand({ Bucket: 'certificates', Key: 'missing' }), {
        abortSignal: controller.signal,
      })
      .catch((e: unknown) => e);
    while (endpoint.requests === 0) await sleep(10);
    controller.abort();
    const error = await call;
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).name).toBe('AbortError');
    await endpoint.allClosed();
    expect(endpoint.requests).toBe(1);
  }, 20_000);
});
