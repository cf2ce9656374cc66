/** RevocationList on DynamoDB: one item per revoked `jti` until its expiry (TTL `ttl`). */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RevocationList } from '@city/ports';
import { storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, ttlSeconds } from './_context.js';

export class DynamoRevocationList implements RevocationList {
  constructor(private readonly ctx: DynamoContext) {}

  async revoke(jti: string, expiresAt: number): Promise<void> {
    // Idempotent; a repeated revocation can only extend the entry, never shorten it.
    await storeCall('revoke token', () =>
      this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tables.revokedTokens,
          Key: { jti },
          UpdateExpression: 'SET #expiresAt = :expiresAt, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#expiresAt) OR #expiresAt <= :expiresAt',
          ExpressionAttributeNames: names('expiresAt', 'ttl'),
          ExpressionAttributeValues: { ':expiresAt': expiresAt, ':ttl': ttlSeconds(expiresAt) },
        }),
      ),
    ).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    });
  }

  async isRevoked(jti: string, now: number): Promise<boolean> {
    const out = await storeCall('read revoked token', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.revokedTokens,
          Key: { jti },
          ConsistentRead: true,
          ProjectionExpression: '#expiresAt',
          ExpressionAttributeNames: names('expiresAt'),
        }),
      ),
    );
    const expiresAt = out.Item?.expiresAt;
    return typeof expiresAt === 'number' && now < expiresAt;
  }
}
