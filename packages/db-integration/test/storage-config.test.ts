import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStorageConfigFromEnv, STORAGE_ENV_VARS } from '../src/config/storage-config.js';

describe('loadStorageConfigFromEnv', () => {
  it('gives AWS defaults for an empty environment', () => {
    const config = loadStorageConfigFromEnv({});
    expect(config.region).toBe('us-east-1');
    expect(config.dynamodb.endpoint).toBeUndefined();
    expect(config.dynamodb.credentials).toBeUndefined();
    expect(config.dynamodb.tables.users).toBe('city_users');
    expect(config.s3).toMatchObject({ bucket: 'city-certificates', forcePathStyle: false });
    expect(config.sns.topicArn).toBeUndefined();
    expect(config.outbox.dir).toBe('.city/outbox');
  });

  it('applies the prefix, per-table overrides and local credentials', () => {
    const config = loadStorageConfigFromEnv({
      CITY_TABLE_PREFIX: 'prod_',
      CITY_DYNAMODB_TABLE_DEVICES: 'DevicesTable',
      CITY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      CITY_S3_ENDPOINT: 'http://127.0.0.1:4568',
      CITY_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:city',
    });
    expect(config.dynamodb.tables.users).toBe('prod_users');
    expect(config.dynamodb.tables.devices).toBe('DevicesTable');
    expect(config.dynamodb.credentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(config.s3.credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    expect(config.s3.forcePathStyle).toBe(true);
    expect(config.sns.topicArn).toBe('arn:aws:sns:us-east-1:123456789012:city');
  });

  it.each([
    ['CITY_DYNAMODB_ENDPOINT', 'not a url'],
    ['CITY_S3_ENDPOINT', 'ftp://x'],
    ['CITY_TABLE_PREFIX', 'bad prefix!'],
    ['CITY_DYNAMODB_TABLE_USERS', 'x'],
    ['CITY_S3_BUCKET', 'Upper_Case'],
    ['CITY_S3_FORCE_PATH_STYLE', 'yes'],
    ['CITY_SNS_TOPIC_ARN', 'dummy'],
    ['CITY_DYNAMODB_MAX_ATTEMPTS', '0'],
    ['CITY_DYNAMODB_REQUEST_TIMEOUT_MS', '1.5'],
    ['CITY_OUTBOX_RETRY_MS', '-1'],
    ['AWS_REGION', 'mars'],
    ['AWS_SECRET_ACCESS_KEY', ''],
  ])('rejects a bad %s with CONFIG_INVALID naming it', (name, value) => {
    const env: Record<string, string> = { [name]: value };
    if (name === 'AWS_SECRET_ACCESS_KEY') env.AWS_ACCESS_KEY_ID = 'AKIA';
    const error = (() => {
      try {
        loadStorageConfigFromEnv(env);
        return undefined;
      } catch (e) {
        return e as { code: string; message: string };
      }
    })();
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain(name);
  });

  it('lists every variable in the README table', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const variable of STORAGE_ENV_VARS) expect(readme).toContain(`| \`${variable.name}\``);
  });
});
