/**
 * RefreshTokenStore on DynamoDB: families by `familyId` (TTL `ttl` = family expiry), GSI
 * `byUser` on `userUuid`. Rotation is one conditional UpdateItem on (active, generation), so
 * of N concurrent rotations of one generation exactly one wins.
 *
 * Growth: bounded by the TTL — DynamoDB deletes a family some time (typically within two days)
 * after its `ttl`, the family's expiry, so ended sessions last at most their lifetime plus that
 * lag; revoked families are kept until then (no per-user cap, unlike the SQLite store). Reads
 * never depend on the deletion (expiry is compared on read).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  NotFoundError,
  type RefreshFamilyRecord,
  type RefreshRotation,
  type RefreshTokenStore,
} from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick, ttlSeconds } from './_context.js';
import { putNewItem } from './_put-new-item.js';

const FAMILY_FIELDS: readonly (keyof RefreshFamilyRecord & string)[] = [
  'familyId',
  'userUuid',
  'deviceId',
  'generation',
  'currentJti',
  'currentAccessJti',
  'rotatedAt',
  'graceSealed',
  'graceUntil',
  'status',
  'revokedReason',
  'createdAt',
  'expiresAt',
];

const toFamily = (item: Record<string, unknown>): RefreshFamilyRecord =>
  pick<RefreshFamilyRecord>(item, FAMILY_FIELDS);

export class DynamoRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly ctx: DynamoContext) {}

  async create(family: RefreshFamilyRecord): Promise<void> {
    const outcome = await putNewItem(
      this.ctx,
      'create refresh family',
      this.ctx.tables.refreshFamilies,
      'familyId',
      { familyId: family.familyId },
      { ...family, ttl: ttlSeconds(family.expiresAt) },
    );
    if (outcome === 'taken') throw new ConflictError('familyId');
  }

  async get(familyId: string): Promise<RefreshFamilyRecord | undefined> {
    const out = await storeCall('read refresh family', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.refreshFamilies,
          Key: { familyId },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : toFamily(out.Item);
  }

  async rotate(familyId: string, rotation: RefreshRotation): Promise<RefreshFamilyRecord> {
    const sets = ['#generation = :generation', '#currentJti = :currentJti', '#rotatedAt = :rotatedAt'];
    const removes: string[] = [];
    const values: Record<string, unknown> = {
      ':generation': rotation.generation,
      ':currentJti': rotation.currentJti,
      ':rotatedAt': rotation.rotatedAt,
      ':expected': rotation.expectedGeneration,
      ':active': 'active',
    };
    // Optional fields not given are removed: grace data belongs to the previous generation only.
    for (const field of ['currentAccessJti', 'graceSealed', 'graceUntil'] as const) {
      if (rotation[field] === undefined) {
        removes.push(`#${field}`);
      } else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = rotation[field];
      }
    }
    try {
      const out = await storeCall('rotate refresh family', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.refreshFamilies,
            Key: { familyId },
            UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression:
              'attribute_exists(#familyId) AND #generation = :expected AND #status = :active',
            ExpressionAttributeNames: names(
              'familyId',
              'generation',
              'currentJti',
              'rotatedAt',
              'status',
              'currentAccessJti',
              'graceSealed',
              'graceUntil',
            ),
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toFamily(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if ((await this.get(familyId)) === undefined)
        throw new NotFoundError(`refresh family ${familyId} not found`);
      throw new ConflictError('generation', 'the refresh token family is not at the expected generation');
    }
  }

  async revoke(familyId: string, reason: string, _at: number): Promise<void> {
    try {
      await storeCall('revoke refresh family', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.refreshFamilies,
            Key: { familyId },
            // The first reason stays: a later logout must not hide an earlier reuse detection.
            UpdateExpression:
              'SET #status = :revoked, #revokedReason = if_not_exists(#revokedReason, :reason)',
            ConditionExpression: 'attribute_exists(#familyId)',
            ExpressionAttributeNames: names('familyId', 'status', 'revokedReason'),
            ExpressionAttributeValues: { ':revoked': 'revoked', ':reason': reason },
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`refresh family ${familyId} not found`);
      throw error;
    }
  }

  async listByUser(userUuid: string): Promise<readonly RefreshFamilyRecord[]> {
    const families: RefreshFamilyRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await storeCall('list refresh families', () =>
        this.ctx.doc.send(
          new QueryCommand({
            TableName: this.ctx.tables.refreshFamilies,
            IndexName: 'byUser',
            KeyConditionExpression: '#userUuid = :userUuid',
            ExpressionAttributeNames: names('userUuid'),
            ExpressionAttributeValues: { ':userUuid': userUuid },
            ExclusiveStartKey: start,
          }),
        ),
      );
      families.push(...(out.Items ?? []).map(toFamily));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return families;
  }
}
