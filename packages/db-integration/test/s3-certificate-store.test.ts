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

  it('S3CapsuleStore.writeIfAbsent: of 12 instances creating one capsule at once exactly one stores it, even on an S3 engine that ignores If-None-Match', async () => {
    // An in-memory fact store with the DeploymentStore claim semantics (first value wins).
    const facts = new Map<string, string>();
    const claims = {
      claim: async (name: string, value: string) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (!facts.has(name)) facts.set(name, value);
        return facts.get(name)!;
      },
    };
    const prefix = `race-${randomBytes(3).toString('hex')}/`;
    const instances = Array.from(
      { length: 12 },
      () => new S3CapsuleStore(client, bucket, { prefix, creationClaims: claims }),
    );
    const capsules = instances.map(() => new Uint8Array(randomBytes(800)));
    const outcomes = await Promise.all(
      instances.map((store, i) => store.writeIfAbsent('master', capsules[i]!)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = capsules[outcomes.indexOf(true)]!;
    for (const store of instances) expect(await store.read('master')).toEqual(winner);
    // A later creation finds it taken and changes nothing.
    expect(await instances[0]!.writeIfAbsent('master', new Uint8Array(randomBytes(800)))).toBe(false);
    expect(await instances[0]!.read('master')).toEqual(winner);
  });
});
