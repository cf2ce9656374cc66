/**
 * DeploymentStore on DynamoDB: one item per fact in the `unique_claims` table under the claim
 * key `deployment#<name>` (no table to provision beyond the existing ones). A claim is a
 * conditional Put (`attribute_not_exists`), then a strongly consistent read: of racing writers
 * on any number of instances exactly one Put lands.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CityError } from '@city/errors';
import { type DeploymentStore, StoreUnavailableError } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names } from './_context.js';

const NAME = /^[a-z0-9-]{1,64}$/;
const VALUE_MAX = 1024;

function claimKey(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new CityError('INVALID_ARGUMENT', '"name" expected 1..64 characters of [a-z0-9-]');
  }
  return `deployment#${name}`;
}

export class DynamoDeploymentStore implements DeploymentStore {
  constructor(private readonly ctx: DynamoContext) {}

  async get(name: string): Promise<string | undefined> {
    const claim = claimKey(name);
    const out = await storeCall('read deployment fact', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.uniqueClaims,
          Key: { claim },
          ConsistentRead: true,
        }),
      ),
    );
    const value = (out.Item as { value?: unknown } | undefined)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  async claim(name: string, value: string): Promise<string> {
    const claim = claimKey(name);
    if (typeof value !== 'string' || value.length === 0 || value.length > VALUE_MAX) {
      throw new CityError('INVALID_ARGUMENT', `"value" expected a string of 1..${VALUE_MAX} characters`);
    }
    try {
      await storeCall('write deployment fact', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, value, createdAt: this.ctx.clock.now() },
            // An SDK retry of a Put that landed finds its own value: still this writer's claim.
            ConditionExpression: 'attribute_not_exists(#claim) OR #value = :value',
            ExpressionAttributeNames: names('claim', 'value'),
            ExpressionAttributeValues: { ':value': value },
          }),
        ),
      );
      return value;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const stored = await this.get(name);
    if (stored === undefined)
      throw new StoreUnavailableError(`deployment fact ${name} vanished after a refused claim`);
    return stored;
  }
}
