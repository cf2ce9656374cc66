/**
 * Internal: the election of a key vault capsule's creator on DynamoDB, with a lease. The claim is
 * the deployment fact `capsule-<name>` (item `deployment#capsule-<name>` in `unique_claims`, as
 * `DeploymentStore.claim` writes it: `value` = the capsule's SHA-256, `createdAt`) plus
 * `leaseUntil` (epoch ms): until then the claimant alone may store the capsule. A claimant that
 * died before storing it is replaced by a conditional Put that only lands while the item still
 * holds the expired claim (same value, same lease), so of several instances taking over at once
 * exactly one does. Claims written before leases existed count as leased for `leaseMs` from their
 * `createdAt`.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import type { CapsuleCreationClaim, CapsuleCreationLeases } from '../s3/s3-capsule-store.js';
import { type DynamoContext, names } from './_context.js';

const NAME = /^[a-z0-9-]{1,64}$/;

function claimKey(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new CityError('INVALID_ARGUMENT', '"name" expected 1..64 characters of [a-z0-9-]');
  }
  return `deployment#${name}`;
}

function positive(leaseMs: number): number {
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`"leaseMs" expected a positive integer, got ${leaseMs}`);
  }
  return leaseMs;
}

export class DynamoCapsuleCreationLeases implements CapsuleCreationLeases {
  constructor(private readonly ctx: DynamoContext) {}

  async claim(name: string, value: string, leaseMs: number): Promise<CapsuleCreationClaim> {
    const claim = claimKey(name);
    const now = this.ctx.clock.now();
    const leaseUntil = now + positive(leaseMs);
    try {
      await storeCall('claim capsule creation', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, value, createdAt: now, leaseUntil },
            // An SDK retry of a Put that landed finds its own value: still this writer's claim.
            ConditionExpression: 'attribute_not_exists(#claim) OR #value = :value',
            ExpressionAttributeNames: names('claim', 'value'),
            ExpressionAttributeValues: { ':value': value },
          }),
        ),
      );
      return { value, leaseUntil };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    return this.current(name, leaseMs);
  }

  async holder(name: string, leaseMs: number): Promise<CapsuleCreationClaim | undefined> {
    const out = await storeCall('read capsule creation claim', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.uniqueClaims,
          Key: { claim: claimKey(name) },
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Item as { value?: unknown; leaseUntil?: unknown; createdAt?: unknown } | undefined;
    if (typeof item?.value !== 'string') return undefined;
    const leaseUntil =
      typeof item.leaseUntil === 'number'
        ? item.leaseUntil
        : (typeof item.createdAt === 'number' ? item.createdAt : 0) + leaseMs;
    return { value: item.value, leaseUntil };
  }

  async takeOver(
    name: string,
    expired: CapsuleCreationClaim,
    value: string,
    leaseMs: number,
  ): Promise<CapsuleCreationClaim> {
    const claim = claimKey(name);
    const now = this.ctx.clock.now();
    const leaseUntil = now + positive(leaseMs);
    try {
      await storeCall('take over capsule creation', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.uniqueClaims,
            Item: { claim, value, createdAt: now, leaseUntil },
            // Only the expired claim as it was read is replaced; a retry of a landed Put finds its own.
            ConditionExpression:
              '(#value = :expired AND (#leaseUntil = :expiredLease OR attribute_not_exists(#leaseUntil))) OR #value = :value',
            ExpressionAttributeNames: names('value', 'leaseUntil'),
            ExpressionAttributeValues: {
              ':expired': expired.value,
              ':expiredLease': expired.leaseUntil,
              ':value': value,
            },
          }),
        ),
      );
      return { value, leaseUntil };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    return this.current(name, leaseMs);
  }

  /** The claim as stored after a refused write. */
  private async current(name: string, leaseMs: number): Promise<CapsuleCreationClaim> {
    const stored = await this.holder(name, leaseMs);
    if (stored === undefined)
      throw new StoreUnavailableError(`deployment fact ${name} vanished after a refused claim`);
    return stored;
  }
}
