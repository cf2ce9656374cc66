/**
 * Composition of the AWS adapters: DynamoDB for records, S3 for certificate bodies, SNS (via
 * the outbox) for notifications. One client per service, created here once and injected.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, type Stores, systemClock } from '@city/ports';
import { type DynamoStoresConfig, StorageConfigError } from './config/storage-config.js';
import { DynamoCapsuleCreationLeases } from './dynamodb/_capsule-creation-leases.js';
import type { DynamoContext } from './dynamodb/_context.js';
import { type CreateTablesReport, createDynamoTables } from './dynamodb/create-tables.js';
import { DynamoAuditLog } from './dynamodb/dynamo-audit-log.js';
import { DynamoCertificateRevocationStore } from './dynamodb/dynamo-certificate-revocation-store.js';
import { DynamoChallengeStore } from './dynamodb/dynamo-challenge-store.js';
import { DynamoChangeEpoch } from './dynamodb/dynamo-change-epoch.js';
import { DynamoCounterStore } from './dynamodb/dynamo-counter-store.js';
import { DynamoDeploymentStore } from './dynamodb/dynamo-deployment-store.js';
import { DynamoDeviceStore } from './dynamodb/dynamo-device-store.js';
import { DynamoPairingTokenStore } from './dynamodb/dynamo-pairing-token-store.js';
import { DynamoRecoveryCodeStore } from './dynamodb/dynamo-recovery-code-store.js';
import { DynamoRefreshTokenStore } from './dynamodb/dynamo-refresh-token-store.js';
import { DynamoRevocationList } from './dynamodb/dynamo-revocation-list.js';
import { DynamoUserStore } from './dynamodb/dynamo-user-store.js';
import { awsClientOptions } from './lib/aws-client-options.js';
import { guardEngineCalls } from './lib/engine-guard.js';
import { withSharedChangeEpoch } from './lib/shared-change-epoch.js';
import { ensureS3Bucket } from './s3/ensure-bucket.js';
import { S3CapsuleStore } from './s3/s3-capsule-store.js';
import { S3CertificateBlobStore } from './s3/s3-certificate-blob-store.js';
import { ensureSnsTopic } from './sns/ensure-topic.js';
import { OutboxNotifier } from './sns/outbox-notifier.js';
import { SnsNotifier } from './sns/sns-notifier.js';

/** How long the breaker refuses calls to an engine that stopped answering, before one probe. */
const BREAKER_OPEN_MS = 2_000;
/** Calls in a row without an answer (refused, reset, timed out) that open the breaker. */
const BREAKER_FAILURES = 3;

/** The stores plus the outbox (for flushing) and the shared key vault capsules of the AWS composition. */
export interface DynamoStores extends Stores {
  readonly notifier: OutboxNotifier;
  /**
   * The key vault's capsules in the certificate bucket under `keyvault/`, shared by every instance;
   * each capsule's creator is elected by a conditional write in the deployment facts, with a lease
   * another instance takes over when the creator died before storing the capsule.
   */
  readonly capsules: S3CapsuleStore;
}

const dynamoClient = (config: DynamoStoresConfig): DynamoDBClient =>
  new DynamoDBClient(
    awsClientOptions({
      region: config.region,
      endpoint: config.dynamodb.endpoint,
      credentials: config.dynamodb.credentials,
      requestTimeoutMs: config.dynamodb.requestTimeoutMs,
      maxAttempts: config.dynamodb.maxAttempts,
    }),
  );

const s3Client = (config: DynamoStoresConfig): S3Client =>
  new S3Client({
    ...awsClientOptions({
      region: config.region,
      endpoint: config.s3.endpoint,
      credentials: config.s3.credentials,
      requestTimeoutMs: 10_000,
    }),
    forcePathStyle: config.s3.forcePathStyle,
  });

const snsClient = (config: DynamoStoresConfig): SNSClient =>
  new SNSClient(
    awsClientOptions({
      region: config.region,
      endpoint: config.sns.endpoint,
      credentials: config.sns.credentials,
    }),
  );

/**
 * Builds every port on DynamoDB + S3 + SNS/outbox. Tables, bucket and topic must exist
 * (see {@link createTables}, {@link ensureBucket}, {@link ensureTopic}).
 *
 * @throws never; engine failures surface later as `StoreUnavailableError` from the ports.
 * @example
 * ```ts
 * const config = loadStorageConfigFromEnv();
 * await createTables(config);
 * await ensureBucket(config);
 * const stores = createDynamoStores(config);
 * ```
 */
export function createDynamoStores(
  config: DynamoStoresConfig,
  options: { clock?: Clock } = {},
): DynamoStores {
  const dynamo = dynamoClient(config);
  const doc = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  // Every store call goes through the document client's send: the deadline and breaker wrap it.
  guardEngineCalls(doc, {
    label: 'the data store (DynamoDB)',
    deadlineMs: config.dynamodb.deadlineMs,
    openMs: BREAKER_OPEN_MS,
    failureThreshold: BREAKER_FAILURES,
  });
  const ctx: DynamoContext = {
    doc,
    tables: config.dynamodb.tables,
    clock: options.clock ?? systemClock,
    claimGraceMs: config.dynamodb.claimGraceMs,
  };
  const s3 = s3Client(config);
  guardEngineCalls(s3, {
    label: 'the certificate store (S3)',
    deadlineMs: config.dynamodb.deadlineMs,
    openMs: BREAKER_OPEN_MS,
    failureThreshold: BREAKER_FAILURES,
  });
  const sns = config.sns.topicArn === undefined ? undefined : snsClient(config);
  const notifier = new OutboxNotifier({
    dir: config.outbox.dir,
    maxBytes: config.outbox.maxBytes,
    transport:
      sns === undefined || config.sns.topicArn === undefined
        ? undefined
        : new SnsNotifier(sns, config.sns.topicArn),
  });
  notifier.startRetry(config.outbox.retryIntervalMs);
  const deployment = new DynamoDeploymentStore(ctx);
  // Several instances share these tables: the change epoch lets each keep an access cache.
  return withSharedChangeEpoch(
    {
      users: new DynamoUserStore(ctx),
      devices: new DynamoDeviceStore(ctx),
      pairingTokens: new DynamoPairingTokenStore(ctx),
      challenges: new DynamoChallengeStore(ctx),
      recoveryCodes: new DynamoRecoveryCodeStore(ctx),
      refreshTokens: new DynamoRefreshTokenStore(ctx),
      revocations: new DynamoRevocationList(ctx),
      certificateRevocations: new DynamoCertificateRevocationStore(ctx),
      counters: new DynamoCounterStore(ctx),
      audit: new DynamoAuditLog(ctx),
      certificates: new S3CertificateBlobStore(s3, config.s3.bucket),
      deployment,
      notifier,
      capsules: new S3CapsuleStore(s3, config.s3.bucket, {
        prefix: 'keyvault/',
        creationClaims: new DynamoCapsuleCreationLeases(ctx),
        // A capsule put ends within the store deadline (it is cancelled then); the lease outlasts it.
        putDeadlineMs: config.dynamodb.deadlineMs,
        leaseMs: Math.max(15_000, 3 * config.dynamodb.deadlineMs),
        now: () => ctx.clock.now(),
      }),
      close: async () => {
        await notifier.stop();
        doc.destroy();
        dynamo.destroy();
        s3.destroy();
        sns?.destroy();
      },
    },
    new DynamoChangeEpoch(ctx),
  );
}

/**
 * Creates the DynamoDB tables (idempotent; TTL where supported).
 *
 * @throws {StoreUnavailableError} when DynamoDB cannot be reached.
 * @example
 * ```ts
 * const report = await createTables(loadStorageConfigFromEnv());
 * ```
 */
export async function createTables(config: DynamoStoresConfig): Promise<CreateTablesReport> {
  const client = dynamoClient(config);
  try {
    return await createDynamoTables(client, config.dynamodb.tables);
  } finally {
    client.destroy();
  }
}

/**
 * Creates the certificate bucket if missing.
 *
 * @throws {StoreUnavailableError} when S3 cannot be reached.
 * @example
 * ```ts
 * await ensureBucket(config);
 * ```
 */
export async function ensureBucket(config: DynamoStoresConfig): Promise<void> {
  const client = s3Client(config);
  try {
    await ensureS3Bucket(client, config.s3.bucket);
  } finally {
    client.destroy();
  }
}

/**
 * Creates the SNS topic named by `CITY_SNS_TOPIC_ARN` (or `name`) and returns its ARN.
 *
 * @throws {StoreUnavailableError} when SNS cannot be reached; `CONFIG_INVALID` without a topic.
 * @example
 * ```ts
 * const arn = await ensureTopic(config, 'city-notifications');
 * ```
 */
export async function ensureTopic(config: DynamoStoresConfig, name?: string): Promise<string> {
  const target = name ?? config.sns.topicArn;
  if (target === undefined) {
    throw new StorageConfigError(
      'CONFIG_INVALID',
      'CITY_SNS_TOPIC_ARN is not set and no topic name was given',
    );
  }
  const client = snsClient(config);
  try {
    return await ensureSnsTopic(client, target);
  } finally {
    client.destroy();
  }
}
