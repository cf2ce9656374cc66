/**
 * A create whose Put landed but whose response was lost (a timeout or reset connection after
 * DynamoDB wrote the item) is retried by the SDK; the retry fails its `attribute_not_exists`
 * condition against the item the first attempt wrote. That retry must count as this writer's
 * own success — not as a conflict that makes the use case roll back the other half of a
 * registration and leave an active device without its user. The loss is injected inside the
 * SDK's retry loop, so the real retry strategy resends the real request to the engine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalService, startDynalite } from '@city/dev-engines';
import { ConflictError, systemClock } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoContext } from '../src/dynamodb/_context.js';
import { createDynamoTables } from '../src/dynamodb/create-tables.js';
import { DynamoChallengeStore } from '../src/dynamodb/dynamo-challenge-store.js';
import { DynamoDeviceStore } from '../src/dynamodb/dynamo-device-store.js';
import { DynamoRefreshTokenStore } from '../src/dynamodb/dynamo-refresh-token-store.js';
import { dynamoTableNames } from '../src/dynamodb/dynamo-table-names.js';
import { DynamoUserStore } from '../src/dynamodb/dynamo-user-store.js';
import { makeDevice, makeUser } from './contract/store-contract.js';

let engine: LocalService;
let client: DynamoDBClient;
let ctx: DynamoContext;
/** Tables whose next PutItem response is to be lost after the item is written. */
const loseNextPutTo = new Set<string>();
const sent: string[] = [];

beforeAll(async () => {
  engine = await startDynalite();
  client = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    retryMode: 'standard',
  });
  // Inside the retry loop: the request reaches the engine, then its answer is replaced by a
  // transient network error, which the standard retry strategy retries.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args.input ?? {}) as { TableName?: string };
      if (context.commandName === 'PutItemCommand' && input.TableName !== undefined) {
        sent.push(input.TableName);
        const result = await next(args);
        if (loseNextPutTo.delete(input.TableName)) {
          throw Object.assign(new Error('socket hang up after the write'), { name: 'TimeoutError' });
        }
        return result;
      }
      return next(args);
    },
    { step: 'deserialize', name: 'loseResponseAfterWrite' },
  );
  const tables = dynamoTableNames(`lost${randomBytes(3).toString('hex')}_`);
  await createDynamoTables(client, tables);
  ctx = {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tables,
    clock: systemClock,
    claimGraceMs: 30_000,
  };
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await engine?.stop();
});

/** How many PutItem requests reached `table` while `task` ran. */
async function putsTo(table: string, task: () => Promise<void>): Promise<number> {
  const before = sent.length;
  await task();
  return sent.slice(before).filter((name) => name === table).length;
}

describe('an SDK retry of a create that already landed is not a conflict', () => {
  it('device: the retried Put succeeds, and the device and its fingerprint are stored once', async () => {
    const devices = new DynamoDeviceStore(ctx);
    const device = makeDevice();
    loseNextPutTo.add(ctx.tables.devices);
    expect(await putsTo(ctx.tables.devices, () => devices.create(device))).toBe(2);
    expect(loseNextPutTo.has(ctx.tables.devices)).toBe(false);
    expect(await devices.get(device.userUuid, device.deviceId)).toEqual(device);
    expect(await devices.getByFingerprint(device.fingerprint)).toEqual(device);
    expect(await devices.listByUser(device.userUuid)).toHaveLength(1);
  });

  it('user: the retried Put succeeds and keeps its username, email and mynumber claims', async () => {
    const users = new DynamoUserStore(ctx);
    const user = makeUser();
    loseNextPutTo.add(ctx.tables.users);
    expect(await putsTo(ctx.tables.users, () => users.create(user))).toBe(2);
    expect(await users.getByUuid(user.uuid)).toEqual(user);
    expect(await users.getByUsernameKey(user.usernameKey)).toEqual(user);
    expect(await users.getByEmailIndex(user.emailIndex)).toEqual(user);
    // The claims still stand: another user with the same username is refused.
    await expect(users.create(makeUser({ usernameKey: user.usernameKey }))).rejects.toMatchObject({
      code: 'CONFLICT',
      field: 'username',
    });
  });

  it('refresh family and login challenge: the retried Put succeeds', async () => {
    const families = new DynamoRefreshTokenStore(ctx);
    const now = Date.now();
    const family = {
      familyId: randomUUID(),
      userUuid: randomUUID(),
      deviceId: randomUUID(),
      generation: 1,
      currentJti: randomUUID(),
      rotatedAt: now,
      status: 'active' as const,
      createdAt: now,
      expiresAt: now + 3_600_000,
    };
    loseNextPutTo.add(ctx.tables.refreshFamilies);
    expect(await putsTo(ctx.tables.refreshFamilies, () => families.create(family))).toBe(2);
    expect(await families.get(family.familyId)).toMatchObject(family);

    const challenges = new DynamoChallengeStore(ctx);
    const challenge = {
      challengeId: randomBytes(16).toString('hex'),
      nonce: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + 60_000,
    };
    loseNextPutTo.add(ctx.tables.challenges);
    expect(await putsTo(ctx.tables.challenges, () => challenges.create(challenge))).toBe(2);
    expect(await challenges.consume(challenge.challengeId, now)).toMatchObject({ record: challenge });
  });

  it('a different item under a taken key is still a conflict', async () => {
    const devices = new DynamoDeviceStore(ctx);
    const device = makeDevice();
    await devices.create(device);
    const other = makeDevice({ userUuid: device.userUuid, deviceId: device.deviceId });
    const error = await devices.create(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('deviceId');
    expect(await devices.get(device.userUuid, device.deviceId)).toEqual(device);
    // The loser's fingerprint claim was released: the fingerprint is free for a real device.
    expect(await devices.getByFingerprint(other.fingerprint)).toBeUndefined();
  });
});
