import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStorageConfigFromEnv } from '@city/db-integration';
import { startDynalite, startMongoServer, startS3rver } from '@city/dev-engines';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuthFromConfig } from '../src/open-auth-from-config.js';
import { loginWithSignature, mongoSkipReason, newUserBody } from './support/runtime-harness.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'city-config-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('openAuthFromConfig', () => {
  it('aws mode: provisions tables and bucket, and a restart on the same secrets reads the same users', async () => {
    const dynamo = await startDynalite();
    const s3 = await startS3rver();
    const secretsDir = tempDir();
    const storage = loadStorageConfigFromEnv({
      CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
      CITY_TABLE_PREFIX: `cfg${randomBytes(3).toString('hex')}_`,
      CITY_S3_ENDPOINT: s3.endpoint,
      CITY_S3_BUCKET: `cfg-${randomBytes(4).toString('hex')}`,
      CITY_OUTBOX_DIR: tempDir(),
    });
    try {
      const first = await openAuthFromConfig({
        mode: 'aws',
        storage,
        provision: true,
        secretsDir,
        config: { issuer: 'https://auth.aws.test', audience: 'aws-aud' },
      });
      const body = newUserBody();
      const reg = await first.auth.register(body);
      expect(first.describe.mode).toBe('aws');
      expect(first.jwt).toMatchObject({ issuer: 'https://auth.aws.test', audience: 'aws-aud' });
      expect(first.jwt.keys.toJWKS()).toEqual(first.auth.jwks());
      await first.counters.increment('cfg-shared', Date.now(), 60_000);
      await first.close();
      const second = await openAuthFromConfig({ mode: 'aws', storage, secretsDir });
      // Same store, so the second instance sees the first one's count.
      expect((await second.counters.increment('cfg-shared', Date.now(), 60_000)).count).toBe(2);
      expect(second.jwt.keys.toJWKS()).toEqual(second.auth.jwks());
      const login = await loginWithSignature(second.auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem as string,
      });
      expect(login.user.email).toBe(body.email);
      await second.close();
    } finally {
      await s3.stop();
      await dynamo.stop();
    }
  });

  it.skipIf(mongoSkipReason !== undefined)(
    `mongodb mode${mongoSkipReason ? ` (${mongoSkipReason})` : ''}`,
    async () => {
      const server = await startMongoServer();
      try {
        const runtime = await openAuthFromConfig({
          mode: 'mongodb',
          uri: server.uri,
          dbName: `city_cfg_${randomUUID().slice(0, 8)}`,
          secretsDir: tempDir(),
        });
        const reg = await runtime.auth.register(newUserBody());
        await loginWithSignature(runtime.auth, {
          identifier: reg.uuid,
          deviceId: reg.deviceId,
          privateKeyPem: reg.privateKeyPem as string,
        });
        expect(runtime.describe.mode).toBe('mongodb');
        expect(runtime.jwt.keys.toJWKS()).toEqual(runtime.auth.jwks());
        expect((await runtime.counters.increment('cfg-mongo', Date.now(), 60_000)).count).toBe(1);
        await runtime.close();
      } finally {
        await server.stop();
      }
    },
  );
});
