import { randomUUID } from 'node:crypto';
import { startDynalite } from '@city/dev-engines';
import { StoreUnavailableError } from '@city/ports';
import { describe, expect, it } from 'vitest';
import { dynamoFixture } from './helpers/dynamo-fixture.js';

describe('engine failures map to StoreUnavailableError', () => {
  it('answers STORE_UNAVAILABLE once the engine is stopped', async () => {
    const engine = await startDynalite();
    const fixture = await dynamoFixture(engine, {
      CITY_DYNAMODB_MAX_ATTEMPTS: '2',
      CITY_DYNAMODB_REQUEST_TIMEOUT_MS: '500',
    });
    await fixture.stores.users.ping();
    await engine.stop();
    for (const call of [
      () => fixture.stores.users.ping(),
      () => fixture.stores.users.getByUuid(randomUUID()),
      () => fixture.stores.pairingTokens.consume('ab', Date.now()),
      () => fixture.stores.counters.increment('k', Date.now(), 1000),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code).toBe('STORE_UNAVAILABLE');
      // 5 s from the SDK's last failure; 1-2 s once three refused calls have opened the breaker.
      expect((error as StoreUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((error as StoreUnavailableError).retryAfterSeconds).toBeLessThanOrEqual(5);
    }
    await fixture.cleanup();
  });

  it('answers STORE_UNAVAILABLE when the tables do not exist', async () => {
    const engine = await startDynalite();
    const fixture = await dynamoFixture(engine, { CITY_DYNAMODB_TABLE_USERS: 'missing_users_table' });
    const { DeleteTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    await client.send(new DeleteTableCommand({ TableName: 'missing_users_table' }));
    client.destroy();
    await expect(fixture.stores.users.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await fixture.cleanup();
  });
});
