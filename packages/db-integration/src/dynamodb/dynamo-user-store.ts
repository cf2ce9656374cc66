/**
 * UserStore on DynamoDB: users by `uuid`, uniqueness of username / email / mynumber by claim
 * items (see `_unique-claims.ts`). Lookups by username or email are two GetItems (claim →
 * user), never a Scan; only the admin listing scans. A lookup that finds no claim still reads
 * the users table once (a key no user can have), so a known and an unknown username or email
 * cost the same two round trips (no user enumeration by timing, CONVENTIONS §5).
 */
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  NotFoundError,
  type Page,
  type UserPatch,
  type UserRecord,
  type UserStore,
} from '@city/ports';
import { decodeCursor, encodeCursor, hasStringAttributes } from '../lib/page-cursor.js';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick } from './_context.js';
import { type PutNewOutcome, putNewItem } from './_put-new-item.js';
import { UniqueClaims } from './_unique-claims.js';

const USER_FIELDS: readonly (keyof UserRecord & string)[] = [
  'uuid',
  'username',
  'usernameKey',
  'emailIndex',
  'mynumberIndex',
  'passwordHash',
  'roles',
  'status',
  'encrypted',
  'initialHarmonyToken',
  'createdAt',
  'updatedAt',
  'version',
];

/** A users-table key no record can have (uuids are hex and dashes). */
const ABSENT_USER_KEY = '~absent';

const toUser = (item: Record<string, unknown>): UserRecord => pick<UserRecord>(item, USER_FIELDS);

/** The claims a user holds, in the order they are taken (and the field named on conflict). */
function claimsOf(user: UserRecord): { claim: string; field: 'username' | 'email' | 'mynumber' }[] {
  const claims: { claim: string; field: 'username' | 'email' | 'mynumber' }[] = [
    { claim: `username#${user.usernameKey}`, field: 'username' },
    { claim: `email#${user.emailIndex}`, field: 'email' },
  ];
  if (user.mynumberIndex !== undefined)
    claims.push({ claim: `mynumber#${user.mynumberIndex}`, field: 'mynumber' });
  return claims;
}

export class DynamoUserStore implements UserStore {
  private readonly claims: UniqueClaims;

  constructor(private readonly ctx: DynamoContext) {
    this.claims = new UniqueClaims(ctx);
  }

  /*
   * Crash consistency of create (no transactions: dynalite has none, and ordered single-item
   * writes behave the same on every engine).
   *
   * Order: 1. claim username, 2. claim email, 3. claim mynumber — each a conditional Put
   * (`attribute_not_exists(claim) OR owner = me`) carrying the owner uuid and createdAt;
   * 4. the user item, conditional on `attribute_not_exists(uuid)`; 5. re-read the claims.
   *
   * - A conflict at step k: the claims this call took (1..k-1) are released with a conditional
   *   Delete (`owner = me`), so a failed registration does not keep a name reserved.
   * - A crash after some claims and before step 4: the claims point at a uuid that has no user
   *   item. Readers resolve claim → user and find none, so the value reads as absent; a writer
   *   hitting such a claim takes it over once it is older than the grace period
   *   (`claimGraceMs`, default 60 s — far above any request timeout) with a conditional
   *   overwrite on the exact (owner, createdAt) it saw, so racing writers still get one winner.
   * - A crash after step 4: the user is complete (claims first, user item last: "visible only
   *   once fully written").
   * - A writer that stalled longer than the grace period may have lost a claim to a takeover
   *   before writing its user item; step 5 detects that, deletes the user item again and
   *   answers ConflictError, so a value is never owned by two users.
   */
  async create(user: UserRecord): Promise<void> {
    const taken: string[] = [];
    const isLive = async (owner: string): Promise<boolean> => (await this.getByUuid(owner)) !== undefined;
    for (const { claim, field } of claimsOf(user)) {
      const outcome = await this.claims.claim(claim, user.uuid, isLive);
      if (outcome === 'taken') {
        await this.claims.releaseAll(taken, user.uuid);
        throw new ConflictError(field);
      }
      taken.push(claim);
    }
    let outcome: PutNewOutcome;
    try {
      outcome = await putNewItem(
        this.ctx,
        'create user',
        this.ctx.tables.users,
        'uuid',
        { uuid: user.uuid },
        {
          ...user,
        },
      );
    } catch (error) {
      await this.claims.releaseAll(taken, user.uuid);
      throw error;
    }
    if (outcome === 'taken') {
      await this.claims.releaseAll(taken, user.uuid);
      throw new ConflictError('uuid');
    }
    for (const { claim, field } of claimsOf(user)) {
      if ((await this.claims.owner(claim)) !== user.uuid) {
        await storeCall('roll back user', () =>
          this.ctx.doc.send(
            new DeleteCommand({ TableName: this.ctx.tables.users, Key: { uuid: user.uuid } }),
          ),
        );
        await this.claims.releaseAll(taken, user.uuid);
        throw new ConflictError(field);
      }
    }
  }

  async getByUuid(uuid: string): Promise<UserRecord | undefined> {
    const out = await storeCall('read user', () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.ctx.tables.users, Key: { uuid }, ConsistentRead: true }),
      ),
    );
    return out.Item === undefined ? undefined : toUser(out.Item);
  }

  private async getByClaim(
    claim: string,
    matches: (user: UserRecord) => boolean,
  ): Promise<UserRecord | undefined> {
    const owner = await this.claims.owner(claim);
    // The same second read as for a found claim; `~` never starts a uuid, so it never hits.
    const user = await this.getByUuid(owner ?? ABSENT_USER_KEY);
    if (owner === undefined) return undefined;
    // An orphan claim (owner never written) or a stale one reads as absent.
    return user !== undefined && matches(user) ? user : undefined;
  }

  getByUsernameKey(usernameKey: string): Promise<UserRecord | undefined> {
    return this.getByClaim(`username#${usernameKey}`, (u) => u.usernameKey === usernameKey);
  }

  getByEmailIndex(emailIndex: string): Promise<UserRecord | undefined> {
    return this.getByClaim(`email#${emailIndex}`, (u) => u.emailIndex === emailIndex);
  }

  getByMynumberIndex(mynumberIndex: string): Promise<UserRecord | undefined> {
    return this.getByClaim(`mynumber#${mynumberIndex}`, (u) => u.mynumberIndex === mynumberIndex);
  }

  async update(uuid: string, patch: UserPatch, expectedVersion: number, now: number): Promise<UserRecord> {
    const sets = ['#version = :next', '#updatedAt = :now'];
    const attributeNames = names('uuid', 'version', 'updatedAt');
    const values: Record<string, unknown> = {
      ':next': expectedVersion + 1,
      ':now': now,
      ':expected': expectedVersion,
    };
    for (const field of ['passwordHash', 'roles', 'status', 'encrypted'] as const) {
      if (patch[field] === undefined) continue;
      sets.push(`#${field} = :${field}`);
      attributeNames[`#${field}`] = field;
      values[`:${field}`] = patch[field];
    }
    try {
      const out = await storeCall('update user', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.users,
            Key: { uuid },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(#uuid) AND #version = :expected',
            ExpressionAttributeNames: attributeNames,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toUser(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if ((await this.getByUuid(uuid)) === undefined) throw new NotFoundError(`user ${uuid} not found`);
      throw new ConflictError('version', 'the user was changed concurrently');
    }
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<UserRecord>> {
    const start = decodeCursor<Record<string, unknown>>(options.cursor, (value) =>
      hasStringAttributes(value, ['uuid']),
    );
    // Admin listing: the one Scan in the adapter.
    const out = await storeCall('list users', () =>
      this.ctx.doc.send(
        new ScanCommand({
          TableName: this.ctx.tables.users,
          Limit: Math.max(1, Math.floor(options.limit)),
          ExclusiveStartKey: start,
        }),
      ),
    );
    return { items: (out.Items ?? []).map(toUser), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async ping(): Promise<void> {
    await storeCall('ping', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.users,
          Key: { uuid: '00000000-0000-0000-0000-000000000000' },
        }),
      ),
    );
  }
}
