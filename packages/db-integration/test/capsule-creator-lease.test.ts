/**
 * The key vault capsule's creator is elected with a lease (DynamoDB, conditional writes): an
 * instance that claimed the creation and died before storing the capsule holds the others up for
 * one lease, then one of them takes the claim over and stores its own capsule; a claimant still
 * within its lease is never replaced, and a claimant whose lease is too short to finish its put
 * stores nothing. Whatever happens, every instance reads one and the same capsule.
 *
 * Engines: dynalite for the claims, s3rver for the capsules (which ignores `If-None-Match`, so the
 * election alone keeps the capsules from being overwritten). A dead instance's S3 is an endpoint
 * that accepts and never answers: its put fails at its deadline after the claim was written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '@city/dev-engines';
import { StoreUnavailableError, systemClock } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCapsuleCreationLeases } from '../src/dynamodb/_capsule-creation-leases.js';
import { DynamoDeploymentStore } from '../src/dynamodb/dynamo-deployment-store.js';
import { awsClientOptions } from '../src/lib/aws-client-options.js';
import { guardEngineCalls } from '../src/lib/engine-guard.js';
import {
  type CapsuleCreationLeases,
  S3CapsuleStore,
  type S3CapsuleStoreOptions,
} from '../src/s3/s3-capsule-store.js';
import { type DynamoFixture, dynamoFixture } from './helpers/dynamo-fixture.js';
import { SilentEndpoint } from './helpers/silent-endpoint.js';

/**
 * Short leases keep the test quick. As in the AWS composition, every S3 client is guarded with the
 * put deadline, so a put that outlasts it is cancelled before another instance may take over.
 */
const LEASE = { leaseMs: 4_000, putDeadlineMs: 2_000, clockSkewMs: 500, winnerWaitMs: 20_000 } as const;

let fixture: DynamoFixture;
let doc: DynamoDBDocumentClient;
let s3: S3Client;
let silent: SilentEndpoint;
let deadS3: S3Client;
let leases: DynamoCapsuleCreationLeases;
let deployment: DynamoDeploymentStore;

beforeAll(async () => {
  fixture = await dynamoFixture(await startDynalite());
  const { config } = fixture;
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient(
      awsClientOptions({
        region: config.region,
        endpoint: config.dynamodb.endpoint,
        credentials: config.dynamodb.credentials,
      }),
    ),
  );
  const ctx = { doc, tables: config.dynamodb.tables, clock: systemClock, claimGraceMs: 0 };
  leases = new DynamoCapsuleCreationLeases(ctx);
  deployment = new DynamoDeploymentStore(ctx);
  s3 = new S3Client({
    ...awsClientOptions({
      region: config.region,
      endpoint: config.s3.endpoint,
      credentials: config.s3.credentials,
    }),
    forcePathStyle: true,
  });
  guardEngineCalls(s3, { label: 'S3', deadlineMs: LEASE.putDeadlineMs, openMs: 1_000, failureThreshold: 3 });
  silent = new SilentEndpoint();
  deadS3 = new S3Client({
    ...awsClientOptions({
      region: config.region,
      endpoint: await silent.listen(),
      credentials: config.s3.credentials,
      requestTimeoutMs: 60_000,
    }),
    forcePathStyle: true,
  });
  guardEngineCalls(deadS3, {
    label: 'S3',
    deadlineMs: LEASE.putDeadlineMs,
    openMs: 1_000,
    failureThreshold: 3,
  });
});

afterAll(async () => {
  deadS3?.destroy();
  await silent?.close();
  s3?.destroy();
  doc?.destroy();
  await fixture?.cleanup();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const capsule = () => new Uint8Array(randomBytes(900));

/** One instance's capsule store on the shared claims; `client` is its S3. */
function instance(
  prefix: string,
  client: S3Client = s3,
  options: S3CapsuleStoreOptions = {},
): S3CapsuleStore {
  return new S3CapsuleStore(client, fixture.config.s3.bucket, {
    prefix,
    creationClaims: leases,
    ...LEASE,
    ...options,
  });
}

const freshPrefix = () => `lease-${randomBytes(3).toString('hex')}/`;
const factOf = (prefix: string) => `capsule-${prefix.slice(0, -1)}`;

describe('capsule creator election with a lease', () => {
  it('the first instance claims and dies before storing: the second takes over after the lease and stores its capsule; the first, restarted, finds it', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    const dying = instance(prefix, deadS3);
    const lost = capsule();
    await expect(dying.writeIfAbsent(name, lost)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await deployment.get(factOf(prefix))).toBe(sha256(lost));

    const second = instance(prefix);
    const kept = capsule();
    expect(await second.writeIfAbsent(name, kept)).toBe(true);
    expect(await second.read(name)).toEqual(kept);
    expect(await deployment.get(factOf(prefix))).toBe(sha256(kept));

    const restarted = instance(prefix);
    expect(await restarted.writeIfAbsent(name, capsule())).toBe(false);
    expect(await restarted.read(name)).toEqual(kept);
  });

  it('six instances finding one dead claim take it over at once: exactly one stores its capsule and all read it', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    await expect(instance(prefix, deadS3).writeIfAbsent(name, capsule())).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    const capsules = Array.from({ length: 6 }, capsule);
    const stores = capsules.map(() => instance(prefix));
    const outcomes = await Promise.all(stores.map((store, i) => store.writeIfAbsent(name, capsules[i]!)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = capsules[outcomes.indexOf(true)]!;
    for (const store of stores) expect(await store.read(name)).toEqual(winner);
    expect(await deployment.get(factOf(prefix))).toBe(sha256(winner));
  });

  it('a claimant within its lease is never replaced: the other instance gives up and stores nothing', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    const alive = capsule();
    await leases.claim(factOf(prefix), sha256(alive), 60_000);
    const other = instance(prefix, s3, { winnerWaitMs: 600 });
    const error = await other.writeIfAbsent(name, capsule()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
    expect(await other.read(name)).toBeUndefined();
    expect(await deployment.get(factOf(prefix))).toBe(sha256(alive));
  });

  it('a claimant with too little of its lease left for the put (paused after claiming) stores nothing', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    // This instance's clock runs a lease ahead of the claim store's: its claim reads as ending now.
    const paused = instance(prefix, s3, { now: () => Date.now() + LEASE.leaseMs });
    const error = await paused.writeIfAbsent(name, capsule()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(await paused.read(name)).toBeUndefined();
  });

  it('a claim written before leases (a plain deployment fact) counts as leased from its creation', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    const legacy = capsule();
    await deployment.claim(factOf(prefix), sha256(legacy));
    const next = instance(prefix);
    const kept = capsule();
    expect(await next.writeIfAbsent(name, kept)).toBe(true);
    expect(await next.read(name)).toEqual(kept);
  });

  it('a writer that saw an older claim and finds the capsule of a newer one reads the claim again and takes that capsule', async () => {
    const prefix = freshPrefix();
    const name = prefix.slice(0, -1);
    const newer = capsule();
    await instance(prefix).write(name, newer);
    // The claim this writer first saw was replaced (taken over) before the capsule was stored.
    const scripted: CapsuleCreationLeases = {
      claim: async () => ({ value: 'f'.repeat(64), leaseUntil: Date.now() + 60_000 }),
      holder: async () => ({ value: sha256(newer), leaseUntil: Date.now() + 60_000 }),
      takeOver: async () => {
        throw new Error('no take-over while a lease runs');
      },
    };
    const late = instance(prefix, s3, { creationClaims: scripted, winnerWaitMs: 2_000 });
    expect(await late.writeIfAbsent(name, capsule())).toBe(false);
    expect(await late.read(name)).toEqual(newer);
  });

  it('a lease shorter than the put deadline plus the clock allowance is refused', () => {
    expect(() => instance('x/', s3, { leaseMs: 2_500, putDeadlineMs: 2_000, clockSkewMs: 500 })).toThrow(
      RangeError,
    );
  });
});
