/**
 * Internal: uniqueness by claim items in the `unique_claims` table, one item per unique
 * value (`username#<key>`, `email#<index>`, `mynumber#<index>`, `fingerprint#<hex>`), written
 * with a conditional Put so that of N concurrent writers exactly one owns the value.
 *
 * A claim records its `owner` and `createdAt`. An owner that crashed after claiming and
 * before writing its record leaves an orphan claim; `isLive(owner)` tells whether the owner's
 * record exists, and an orphan older than the grace period is taken over by a conditional
 * overwrite on the exact (owner, createdAt) seen — so two writers racing for the same orphan
 * still produce one winner.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names } from './_context.js';

interface ClaimItem {
  claim: string;
  owner: string;
  createdAt: number;
}

/** Result of a claim attempt. */
export type ClaimOutcome = 'claimed' | 'taken';

export class UniqueClaims {
  constructor(private readonly ctx: DynamoContext) {}

  /** Reads who owns `claim` (strongly consistent). */
  async owner(claim: string): Promise<string | undefined> {
    const out = await storeCall('read claim', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.uniqueClaims,
          Key: { claim },
          ConsistentRead: true,
          ProjectionExpression: '#owner',
          ExpressionAttributeNames: names('owner'),
        }),
      ),
    );
    const owner = (out.Item as Partial<ClaimItem> | undefined)?.owner;
    return typeof owner === 'string' ? owner : undefined;
  }

  /**
   * Claims `claim` for `owner`. Re-claiming one's own claim succeeds (an SDK retry of a Put
   * that did land). `isLive` decides whether an existing owner still stands.
   */
  async claim(
    claim: string,
    owner: string,
    isLive: (owner: string) => Promise<boolean>,
  ): Promise<ClaimOutcome> {
    const createdAt = this.ctx.clock.now();
    try {
      await storeCall('write claim', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, owner, createdAt } satisfies ClaimItem,
            ConditionExpression: 'attribute_not_exists(#claim) OR #owner = :owner',
            ExpressionAttributeNames: names('claim', 'owner'),
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    return this.takeOverOrphan(claim, owner, isLive);
  }

  private async takeOverOrphan(
    claim: string,
    owner: string,
    isLive: (owner: string) => Promise<boolean>,
  ): Promise<ClaimOutcome> {
    const out = await storeCall('read claim', () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.ctx.tables.uniqueClaims, Key: { claim }, ConsistentRead: true }),
      ),
    );
    const existing = out.Item as ClaimItem | undefined;
    // Released between our Put and this Get: try once more from the start.
    if (existing === undefined) return this.claimFresh(claim, owner);
    if (existing.owner === owner) return 'claimed';
    const now = this.ctx.clock.now();
    if (now - existing.createdAt < this.ctx.claimGraceMs) return 'taken';
    if (await isLive(existing.owner)) return 'taken';
    try {
      await storeCall('take over claim', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, owner, createdAt: now } satisfies ClaimItem,
            ConditionExpression: '#owner = :previous AND #createdAt = :previousAt',
            ExpressionAttributeNames: names('owner', 'createdAt'),
            ExpressionAttributeValues: { ':previous': existing.owner, ':previousAt': existing.createdAt },
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (isConditionFailed(error)) return 'taken';
      throw error;
    }
  }

  private async claimFresh(claim: string, owner: string): Promise<ClaimOutcome> {
    try {
      await storeCall('write claim', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, owner, createdAt: this.ctx.clock.now() } satisfies ClaimItem,
            ConditionExpression: 'attribute_not_exists(#claim)',
            ExpressionAttributeNames: names('claim'),
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (isConditionFailed(error)) return 'taken';
      throw error;
    }
  }

  /** Deletes `claim` if (and only if) `owner` still holds it. */
  async release(claim: string, owner: string): Promise<void> {
    try {
      await storeCall('release claim', () =>
        this.ctx.doc.send(
          new DeleteCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Key: { claim },
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: names('owner'),
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** Best-effort release of several claims (rollback after a conflict); failures are left to the grace period. */
  async releaseAll(claims: readonly string[], owner: string): Promise<void> {
    await Promise.allSettled(claims.map((claim) => this.release(claim, owner)));
  }
}
