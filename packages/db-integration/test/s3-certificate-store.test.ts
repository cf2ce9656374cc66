import { randomBytes, randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalService, startS3rver } from '@city/dev-engines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStorageConfigFromEnv } from '../src/config/storage-config.js';
import { ensureBucket } from '../src/create-dynamo-stores.js';
import { S3CapsuleStore } from '../src/s3/s3-capsule-store.js';
import { S3CertificateBlobStore } from '../src/s3/s3-certificate-blob-store.js';

describe('S3 adapters on s3rver', () => {
  let s3rver: LocalService;
  let client: S3Client;
  const bucket = 'city-certificates-test';

  beforeAll(async () => {
    s3rver = await startS3rver();
    const config = loadStorageConfigFromEnv({ CITY_S3_ENDPOINT: s3rver.endpoint, CITY_S3_BUCKET: bucket });
    await ensureBucket(config);
    await ensureBucket(config); // idempotent
    client = new S3Client({
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await s3rver?.stop();
  });

  it('stores the PEM and JSON under certificates/<user>/<device>/<serial> with content types', async () => {
    const store = new S3CertificateBlobStore(client, bucket);
    const userUuid = randomUUID();
    const deviceId = randomUUID();
    const serialNumber = randomBytes(16).toString('hex');
    const key = await store.put({ userUuid, deviceId, serialNumber, pem: 'PEM', json: { subject: 'CN=x' } });
    expect(key).toBe(`certificates/${userUuid}/${deviceId}/${serialNumber}.pem`);
    const pem = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(pem.ContentType).toBe('application/x-pem-file');
    const json = await client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `certificates/${userUuid}/${deviceId}/${serialNumber}.json`,
      }),
    );
    expect(json.ContentType).toBe('application/json');
    expect(JSON.parse(await (json.Body?.transformToString() ?? Promise.resolve('')))).toEqual({
      subject: 'CN=x',
    });
  });

  it('refuses ids that would escape their key prefix (path traversal)', async () => {
    const store = new S3CertificateBlobStore(client, bucket);
    for (const bad of ['../x', 'a/b', '', '..']) {
      await expect(
        store.put({ userUuid: bad, deviceId: 'd', serialNumber: '01', pem: 'p' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await store.get('../../etc/passwd')).toBeUndefined();
  });

  it('S3CapsuleStore writes, reads and describes capsules', async () => {
    const store = new S3CapsuleStore(client, bucket, 'keyvault/');
    const capsule = new Uint8Array(randomBytes(1200));
    expect(await store.read('master')).toBeUndefined();
    await store.write('master', capsule);
    expect(await store.read('master')).toEqual(capsule);
    expect(store.describe()).toBe(`s3://${bucket}/keyvault/`);
    await expect(store.write('../escape', capsule)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
