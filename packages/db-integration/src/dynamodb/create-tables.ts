/**
 * Creates the DynamoDB tables of the adapter (idempotent) and enables TTL on the expiring
 * ones. All tables are on-demand (PAY_PER_REQUEST).
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { storeCall } from '../lib/store-call.js';
import type { DynamoTableNames } from './dynamo-table-names.js';

interface TableSpec {
  readonly name: keyof DynamoTableNames;
  readonly hash: string;
  readonly range?: string;
  readonly byUser?: { hash: string; range?: string };
  readonly ttl: boolean;
}

/** The layout (documented in the package README). */
const TABLES: readonly TableSpec[] = [
  { name: 'users', hash: 'uuid', ttl: false },
  { name: 'uniqueClaims', hash: 'claim', ttl: false },
  { name: 'devices', hash: 'userUuid', range: 'deviceId', ttl: false },
  { name: 'pairingTokens', hash: 'tokenHash', ttl: true },
  { name: 'challenges', hash: 'challengeId', ttl: true },
  { name: 'refreshFamilies', hash: 'familyId', byUser: { hash: 'userUuid' }, ttl: true },
  { name: 'revokedTokens', hash: 'jti', ttl: true },
  { name: 'revokedCertificates', hash: 'partition', range: 'serialNumber', ttl: false },
  { name: 'counters', hash: 'counterKey', ttl: true },
  { name: 'audit', hash: 'bucket', range: 'seq', byUser: { hash: 'userUuid', range: 'seq' }, ttl: false },
];

/** What {@link createDynamoTables} did, table by table. */
export interface CreateTablesReport {
  readonly created: readonly string[];
  readonly existing: readonly string[];
  /** Tables whose TTL could not be enabled because the engine lacks UpdateTimeToLive (dynalite). */
  readonly ttlUnsupported: readonly string[];
}

const keySchema = (hash: string, range?: string): KeySchemaElement[] =>
  range === undefined
    ? [{ AttributeName: hash, KeyType: 'HASH' }]
    : [
        { AttributeName: hash, KeyType: 'HASH' },
        { AttributeName: range, KeyType: 'RANGE' },
      ];

/**
 * Creates every table that does not exist yet and enables TTL (`ttl`, epoch seconds) where
 * items expire. dynalite has no UpdateTimeToLive: that is tolerated (reported in
 * `ttlUnsupported`) because expiry is always enforced on read; TTL only reclaims space.
 *
 * @throws {StoreUnavailableError} when the engine cannot be reached or refuses a table.
 * @example
 * ```ts
 * await createDynamoTables(client, dynamoTableNames('city_'));
 * ```
 */
export async function createDynamoTables(
  client: DynamoDBClient,
  tables: DynamoTableNames,
): Promise<CreateTablesReport> {
  const created: string[] = [];
  const existing: string[] = [];
  const ttlUnsupported: string[] = [];
  for (const spec of TABLES) {
    const tableName = tables[spec.name];
    const attributes = new Set([spec.hash, spec.range, spec.byUser?.hash, spec.byUser?.range]);
    const definitions: AttributeDefinition[] = [...attributes]
      .filter((a): a is string => a !== undefined)
      .map((a) => ({ AttributeName: a, AttributeType: 'S' }));
    const indexes: GlobalSecondaryIndex[] | undefined =
      spec.byUser === undefined
        ? undefined
        : [
            {
              IndexName: 'byUser',
              KeySchema: keySchema(spec.byUser.hash, spec.byUser.range),
              Projection: { ProjectionType: 'ALL' },
            },
          ];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: definitions,
          KeySchema: keySchema(spec.hash, spec.range),
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: indexes,
        }),
      );
      created.push(tableName);
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceInUseException') existing.push(tableName);
      else await storeCall(`create table ${tableName}`, () => Promise.reject(error));
    }
    if (!spec.ttl) continue;
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const message = error instanceof Error ? error.message : '';
      // Already enabled (DynamoDB answers ValidationException "TimeToLive is already enabled").
      if (name === 'ValidationException' && /already enabled/i.test(message)) continue;
      // dynalite: the operation does not exist (UnknownOperationException / 400 without a type).
      if (
        name === 'UnknownOperationException' ||
        /UnknownOperation|not supported/i.test(`${name} ${message}`)
      ) {
        ttlUnsupported.push(tableName);
        continue;
      }
      await storeCall(`enable TTL on ${tableName}`, () => Promise.reject(error));
    }
  }
  return { created, existing, ttlUnsupported };
}
