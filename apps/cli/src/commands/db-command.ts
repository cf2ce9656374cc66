/**
 * `city db init`: creates the DynamoDB tables, the S3 certificate bucket and (when configured) the
 * SNS topic, idempotently, from the storage environment variables of @city/db-integration. Only the
 * AWS stores (CITY_MODE=aws) need it; the embedded SQLite store creates its own schema on open.
 */
import type { Command } from 'commander';
import { addOutputOptions, type CommonOptions, printResult } from '../command-context.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';

/**
 * Registers `db init` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * dbCommand(program, io);
 * ```
 */
export function dbCommand(program: Command, io: CliIo): void {
  const db = program
    .command('db')
    .description('prepare the AWS stores of CITY_MODE=aws (DynamoDB tables, S3 bucket, SNS topic)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ city db init\n  $ CITY_DYNAMODB_ENDPOINT=http://127.0.0.1:8000 city db init --json',
    );
  const init = db
    .command('init')
    .description('create tables, bucket and topic when missing (safe to run again)')
    .option(
      '--topic <name>',
      'SNS topic name or ARN to ensure (default CITY_SNS_TOPIC_ARN; none: outbox only)',
    );
  addOutputOptions(init);
  init
    .addHelpText(
      'after',
      `
Configuration comes from the environment (AWS_REGION, CITY_DYNAMODB_ENDPOINT, CITY_TABLE_PREFIX,
CITY_S3_ENDPOINT, CITY_S3_BUCKET, CITY_SNS_ENDPOINT, CITY_SNS_TOPIC_ARN, ...; see packages/db-integration).
Only CITY_MODE=aws needs it: the embedded default (SQLite <data dir>/city.db) creates its schema itself.
Exits 3 when a service cannot be reached.

Examples:
  $ city db init
  $ CITY_DYNAMODB_ENDPOINT=http://127.0.0.1:8000 CITY_S3_ENDPOINT=http://127.0.0.1:4568 city db init --json`,
    )
    .action(async (options: CommonOptions & { topic?: string }) => {
      const { loadStorageConfigFromEnv } = await import('@city/db-integration');
      const dbi = await import('@city/db-integration/dynamodb');
      const config = loadStorageConfigFromEnv({ ...io.env });
      const tables = await withSpinner(io, 'creating tables', () => dbi.createTables(config));
      await withSpinner(io, 'creating the bucket', () => dbi.ensureBucket(config));
      const topicName = options.topic ?? config.sns.topicArn;
      const topicArn =
        topicName === undefined
          ? undefined
          : await withSpinner(io, 'creating the topic', () => dbi.ensureTopic(config, topicName));
      const data = {
        region: config.region,
        tables: { created: tables.created, existing: tables.existing, ttlUnsupported: tables.ttlUnsupported },
        bucket: config.s3.bucket,
        topicArn: topicArn ?? null,
      };
      printResult(io, options, data, () =>
        [
          `tables created: ${tables.created.length === 0 ? '(none)' : tables.created.join(', ')}`,
          `tables present: ${tables.existing.length === 0 ? '(none)' : tables.existing.join(', ')}`,
          ...(tables.ttlUnsupported.length === 0
            ? []
            : [`TTL not supported by this engine on: ${tables.ttlUnsupported.join(', ')}`]),
          `bucket:         ${config.s3.bucket}`,
          `topic:          ${topicArn ?? '(none: notifications stay in the outbox)'}`,
        ].join('\n'),
      );
    });
}
