/**
 * Storage configuration (12-factor): every environment variable the DynamoDB / S3 / SNS
 * adapters read is listed in {@link STORAGE_ENV_VARS}, and nowhere else.
 */
import { CityError } from '@city/errors';
import {
  DYNAMO_TABLE_SUFFIXES,
  type DynamoTableNames,
  dynamoTableNames,
} from '../dynamodb/dynamo-table-names.js';

/** AWS credentials (omit to use the SDK's default chain). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** Everything {@link createDynamoStores} needs. */
export interface DynamoStoresConfig {
  readonly region: string;
  readonly dynamodb: {
    readonly endpoint?: string | undefined;
    readonly credentials?: AwsCredentials | undefined;
    readonly tables: DynamoTableNames;
    readonly requestTimeoutMs: number;
    readonly maxAttempts: number;
    /** Longest time one DynamoDB or S3 call may take, retries included (then 503, and the breaker opens). */
    readonly deadlineMs: number;
    /** Age after which an orphaned uniqueness claim may be taken over. */
    readonly claimGraceMs: number;
  };
  readonly s3: {
    readonly endpoint?: string | undefined;
    readonly credentials?: AwsCredentials | undefined;
    readonly bucket: string;
    readonly forcePathStyle: boolean;
  };
  readonly sns: {
    readonly endpoint?: string | undefined;
    readonly credentials?: AwsCredentials | undefined;
    /** Without a topic, notifications stay in the outbox. */
    readonly topicArn?: string | undefined;
  };
  readonly outbox: {
    readonly dir: string;
    readonly retryIntervalMs: number;
    /** Size bound of each outbox file (default 64 MiB, `OutboxNotifier`'s). */
    readonly maxBytes?: number | undefined;
  };
}

/** An environment variable of the storage layer. */
export interface StorageEnvVar {
  readonly name: string;
  readonly default: string;
  readonly description: string;
}

const tableOverride = (key: keyof DynamoTableNames): string =>
  `CITY_DYNAMODB_TABLE_${DYNAMO_TABLE_SUFFIXES[key].toUpperCase()}`;

/** Every environment variable read by {@link loadStorageConfigFromEnv}, in one place (the README mirrors it). */
export const STORAGE_ENV_VARS: readonly StorageEnvVar[] = [
  { name: 'AWS_REGION', default: 'us-east-1', description: 'AWS region of DynamoDB, S3 and SNS' },
  {
    name: 'AWS_ACCESS_KEY_ID',
    default: '(SDK default chain)',
    description: 'access key; local endpoints get dummy credentials when unset',
  },
  {
    name: 'AWS_SECRET_ACCESS_KEY',
    default: '(SDK default chain)',
    description: 'secret key, required together with AWS_ACCESS_KEY_ID',
  },
  { name: 'AWS_SESSION_TOKEN', default: '(none)', description: 'session token for temporary credentials' },
  {
    name: 'CITY_DYNAMODB_ENDPOINT',
    default: '(AWS)',
    description: 'DynamoDB endpoint URL, e.g. dynalite or DynamoDB Local',
  },
  { name: 'CITY_TABLE_PREFIX', default: 'city_', description: 'prefix of every table name' },
  ...(Object.keys(DYNAMO_TABLE_SUFFIXES) as (keyof DynamoTableNames)[]).map((key) => ({
    name: tableOverride(key),
    default: `<prefix>${DYNAMO_TABLE_SUFFIXES[key]}`,
    description: `name of the ${DYNAMO_TABLE_SUFFIXES[key].replaceAll('_', ' ')} table`,
  })),
  {
    name: 'CITY_DYNAMODB_REQUEST_TIMEOUT_MS',
    default: '2000',
    description: 'per-request timeout (a dead engine answers 503 quickly)',
  },
  {
    name: 'CITY_DYNAMODB_MAX_ATTEMPTS',
    default: '3',
    description: 'attempts per request, standard retry mode',
  },
  {
    name: 'CITY_STORE_DEADLINE_MS',
    default: '5000',
    description:
      'longest DynamoDB or S3 call, retries included; then 503 and calls fail at once for 2 s (a frozen engine)',
  },
  {
    name: 'CITY_CLAIM_GRACE_MS',
    default: '60000',
    description: 'age after which an orphaned uniqueness claim may be taken over',
  },
  { name: 'CITY_S3_ENDPOINT', default: '(AWS)', description: 'S3 endpoint URL, e.g. s3rver' },
  { name: 'CITY_S3_BUCKET', default: 'city-certificates', description: 'bucket of certificate bodies' },
  {
    name: 'CITY_S3_FORCE_PATH_STYLE',
    default: 'true with CITY_S3_ENDPOINT',
    description: 'path-style bucket addressing (`true`/`false`)',
  },
  { name: 'CITY_SNS_TOPIC_ARN', default: '(none: outbox only)', description: 'topic for notifications' },
  { name: 'CITY_SNS_ENDPOINT', default: '(AWS)', description: 'SNS endpoint URL, e.g. moto' },
  {
    name: 'CITY_OUTBOX_DIR',
    default: '.city/outbox',
    description: 'directory of the notification outbox (JSON lines)',
  },
  { name: 'CITY_OUTBOX_RETRY_MS', default: '30000', description: 'interval of outbox re-delivery' },
];

/** Raised for a missing or malformed variable; the message names it. */
export class StorageConfigError extends CityError {}

const bad = (name: string, why: string): StorageConfigError =>
  new StorageConfigError('CONFIG_INVALID', `${name} ${why}`, {
    fields: [{ field: name, code: 'INVALID', message: why }],
  });

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

function url(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw bad(name, `must be an http(s) URL, got "${value}"`);
  }
  return value;
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw bad(name, `must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

/**
 * Reads and validates the storage configuration from `env`.
 *
 * @throws {StorageConfigError} `CONFIG_INVALID` naming the bad variable.
 * @example
 * ```ts
 * const config = loadStorageConfigFromEnv({ CITY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
 * const stores = createDynamoStores(config);
 * ```
 */
export function loadStorageConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): DynamoStoresConfig {
  const region = env.AWS_REGION === undefined || env.AWS_REGION === '' ? 'us-east-1' : env.AWS_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) && region !== 'local')
    throw bad('AWS_REGION', `is not a region name: "${region}"`);

  const keyId = env.AWS_ACCESS_KEY_ID ?? '';
  const secret = env.AWS_SECRET_ACCESS_KEY ?? '';
  if ((keyId === '') !== (secret === '')) {
    throw bad(
      keyId === '' ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY',
      'must be set together with its pair',
    );
  }
  const given: AwsCredentials | undefined =
    keyId === ''
      ? undefined
      : { accessKeyId: keyId, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  // Local engines accept any signature but the SDK refuses to sign without credentials.
  const forLocal = (endpoint: string | undefined, local: AwsCredentials): AwsCredentials | undefined =>
    given ?? (endpoint === undefined ? undefined : local);

  const prefix = env.CITY_TABLE_PREFIX ?? 'city_';
  if (!/^[A-Za-z0-9_.-]{0,200}$/.test(prefix))
    throw bad('CITY_TABLE_PREFIX', 'may contain only [A-Za-z0-9_.-] (at most 200)');
  const overrides: Partial<Record<keyof DynamoTableNames, string>> = {};
  for (const key of Object.keys(DYNAMO_TABLE_SUFFIXES) as (keyof DynamoTableNames)[]) {
    const name = tableOverride(key);
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!TABLE_NAME.test(value)) throw bad(name, 'must be 3-255 characters of [A-Za-z0-9_.-]');
    overrides[key] = value;
  }
  const tables = dynamoTableNames(prefix, overrides);
  for (const key of Object.keys(tables) as (keyof DynamoTableNames)[]) {
    if (!TABLE_NAME.test(tables[key]))
      throw bad('CITY_TABLE_PREFIX', `gives an invalid table name "${tables[key]}"`);
  }

  const dynamoEndpoint = url(env, 'CITY_DYNAMODB_ENDPOINT');
  const s3Endpoint = url(env, 'CITY_S3_ENDPOINT');
  const snsEndpoint = url(env, 'CITY_SNS_ENDPOINT');

  const bucket =
    env.CITY_S3_BUCKET === undefined || env.CITY_S3_BUCKET === '' ? 'city-certificates' : env.CITY_S3_BUCKET;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw bad('CITY_S3_BUCKET', `is not a valid bucket name: "${bucket}"`);
  const pathStyle = env.CITY_S3_FORCE_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== '' && pathStyle !== 'true' && pathStyle !== 'false') {
    throw bad('CITY_S3_FORCE_PATH_STYLE', 'must be "true" or "false"');
  }

  const topicArn =
    env.CITY_SNS_TOPIC_ARN === undefined || env.CITY_SNS_TOPIC_ARN === ''
      ? undefined
      : env.CITY_SNS_TOPIC_ARN;
  if (
    topicArn !== undefined &&
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn)
  ) {
    // A "SNS_TOPIC_ARN=dummy" placeholder is not needed: leave the variable unset instead.
    throw bad(
      'CITY_SNS_TOPIC_ARN',
      `is not an SNS topic ARN: "${topicArn}" (leave it unset to use the outbox)`,
    );
  }

  return {
    region,
    dynamodb: {
      endpoint: dynamoEndpoint,
      credentials: forLocal(dynamoEndpoint, { accessKeyId: 'local', secretAccessKey: 'local' }),
      tables,
      requestTimeoutMs: integer(env, 'CITY_DYNAMODB_REQUEST_TIMEOUT_MS', 2_000, 100, 60_000),
      maxAttempts: integer(env, 'CITY_DYNAMODB_MAX_ATTEMPTS', 3, 1, 10),
      deadlineMs: integer(env, 'CITY_STORE_DEADLINE_MS', 5_000, 100, 60_000),
      claimGraceMs: integer(env, 'CITY_CLAIM_GRACE_MS', 60_000, 1_000, 86_400_000),
    },
    s3: {
      endpoint: s3Endpoint,
      credentials: forLocal(s3Endpoint, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
      bucket,
      forcePathStyle:
        pathStyle === undefined || pathStyle === '' ? s3Endpoint !== undefined : pathStyle === 'true',
    },
    sns: {
      endpoint: snsEndpoint,
      credentials: forLocal(snsEndpoint, { accessKeyId: 'test', secretAccessKey: 'test' }),
      topicArn,
    },
    outbox: {
      dir:
        env.CITY_OUTBOX_DIR === undefined || env.CITY_OUTBOX_DIR === ''
          ? '.city/outbox'
          : env.CITY_OUTBOX_DIR,
      retryIntervalMs: integer(env, 'CITY_OUTBOX_RETRY_MS', 30_000, 100, 86_400_000),
    },
  };
}
