/**
 * The shared change epoch (see lib/shared-change-epoch) on DynamoDB: one item `epoch#auth-state`
 * in the `unique_claims` table, moved with an atomic `ADD` and read with a strongly consistent
 * GetItem. An SDK retry of an `ADD` that landed moves it twice, which is as good as once.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeEpoch } from '../lib/shared-change-epoch.js';
import { storeCall } from '../lib/store-call.js';
import { type DynamoContext, names } from './_context.js';

const CLAIM = 'epoch#auth-state';

export class DynamoChangeEpoch implements ChangeEpoch {
  constructor(private readonly ctx: DynamoContext) {}

  async read(): Promise<string> {
    const out = await storeCall('read the change epoch', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.uniqueClaims,
          Key: { claim: CLAIM },
          ConsistentRead: true,
        }),
      ),
    );
    return String((out.Item as { epoch?: unknown } | undefined)?.epoch ?? 0);
  }

  async bump(): Promise<void> {
    await storeCall('move the change epoch', () =>
      this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tables.uniqueClaims,
          Key: { claim: CLAIM },
          UpdateExpression: 'ADD #epoch :one',
          ExpressionAttributeNames: names('epoch'),
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    );
  }
}
