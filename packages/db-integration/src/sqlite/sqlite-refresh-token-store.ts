/**
 * RefreshTokenStore on SQLite: table `refresh_families` (family_id PRIMARY KEY, index on
 * user_uuid). Rotation reads, checks (`status = active`, `generation = expected`) and writes
 * inside `BEGIN IMMEDIATE`, so of N concurrent rotations of one generation exactly one wins and
 * the others get `ConflictError('generation')` (the caller then runs reuse detection).
 *
 * Ended families do not accumulate: an expired one is deleted by the reclaimer once it is more
 * than the grace margin past its `expiresAt` (`_reclaimer.ts`, on `refresh_families_by_expiry`),
 * and creating a family deletes, in the same transaction, the user's ended families (revoked, or
 * expired past the grace margin) beyond the newest {@link ENDED_SESSIONS_KEPT_PER_USER}, which
 * stay for reuse detection and the session history. A refresh token of a deleted family finds no
 * family and is refused (`TOKEN_INVALID` from the use case) as before it was refused with
 * `TOKEN_REVOKED`; an access token naming it is refused (`TOKEN_REVOKED`) as before. Active
 * families are never deleted.
 */
import {
  ConflictError,
  NotFoundError,
  type RefreshFamilyRecord,
  type RefreshRotation,
  type RefreshTokenStore,
} from '@city/ports';
import {
  optionalNumber,
  optionalString,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
  requireString,
} from './_guards.js';
import { RECLAIM_GRACE_MS, type SqliteReclaimer } from './_reclaimer.js';
import { parseRecord, type SqliteContext, type UniqueFields } from './_sqlite-context.js';

const KEY_MAX = 1024;
const SEALED_MAX = 64 * 1024;

/**
 * How many ended sessions (revoked, or expired past the grace margin) a user keeps, the most
 * recently ended; creating a session deletes the older ones.
 */
export const ENDED_SESSIONS_KEPT_PER_USER = 20;

const UNIQUE: UniqueFields = { 'refresh_families.family_id': 'familyId' };

/** RefreshTokenStore backed by SQLite. */
export class SqliteRefreshTokenStore implements RefreshTokenStore {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  readonly #insert;
  readonly #deleteEndedBeyondCap;
  readonly #read;
  readonly #write;
  readonly #revoke;
  readonly #byUser;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    this.#deleteEndedBeyondCap = ctx.prepare(
      'DELETE FROM refresh_families WHERE rowid IN (SELECT rowid FROM refresh_families ' +
        'WHERE user_uuid = ? AND (revoked_at IS NOT NULL OR expires_at < ?) ' +
        'ORDER BY coalesce(revoked_at, expires_at) DESC, rowid DESC ' +
        `LIMIT -1 OFFSET ${ENDED_SESSIONS_KEPT_PER_USER})`,
    );
    this.#insert = ctx.prepare(
      'INSERT INTO refresh_families (family_id, user_uuid, expires_at, record) VALUES (?, ?, ?, ?)',
    );
    this.#read = ctx.prepare('SELECT record FROM refresh_families WHERE family_id = ?');
    this.#write = ctx.prepare('UPDATE refresh_families SET record = ? WHERE family_id = ?');
    this.#revoke = ctx.prepare('UPDATE refresh_families SET record = ?, revoked_at = ? WHERE family_id = ?');
    this.#byUser = ctx.prepare('SELECT record FROM refresh_families WHERE user_uuid = ? ORDER BY rowid');
  }

  async create(family: RefreshFamilyRecord): Promise<void> {
    const record = toRecord(family);
    try {
      this.#ctx.transaction(() => {
        this.#insert.run(record.familyId, record.userUuid, record.expiresAt, JSON.stringify(record));
        this.#deleteEndedBeyondCap.run(record.userUuid, record.createdAt - RECLAIM_GRACE_MS);
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'refreshTokens.create', UNIQUE);
    }
    this.#ctx.authStateChanged();
    this.#reclaimer.wrote();
  }

  async get(familyId: string): Promise<RefreshFamilyRecord | undefined> {
    const id = requireString('familyId', familyId, KEY_MAX);
    return this.#ctx.readRecord<RefreshFamilyRecord>(this.#read, 'refreshTokens.get', id);
  }

  async rotate(familyId: string, rotation: RefreshRotation): Promise<RefreshFamilyRecord> {
    const id = requireString('familyId', familyId, KEY_MAX);
    requireObject('rotation', rotation);
    const expectedGeneration = requireInteger('rotation.expectedGeneration', rotation.expectedGeneration);
    const currentAccessJti = optionalString('rotation.currentAccessJti', rotation.currentAccessJti, KEY_MAX);
    const graceSealed = optionalString('rotation.graceSealed', rotation.graceSealed, SEALED_MAX);
    const graceUntil = optionalNumber('rotation.graceUntil', rotation.graceUntil);
    const generation = requireInteger('rotation.generation', rotation.generation);
    const currentJti = requireString('rotation.currentJti', rotation.currentJti, KEY_MAX);
    const rotatedAt = requireNumber('rotation.rotatedAt', rotation.rotatedAt);
    let rotated: RefreshFamilyRecord;
    try {
      rotated = this.#ctx.transaction(() => {
        const row = this.#read.get(id);
        if (row === undefined) throw new NotFoundError('refresh-token family not found');
        const current = parseRecord<RefreshFamilyRecord>(row);
        if (current.status !== 'active' || current.generation !== expectedGeneration) {
          throw new ConflictError('generation', 'the refresh token family is not at the expected generation');
        }
        // A rotation describes the whole new state: optional fields it leaves out are cleared,
        // so grace data of an older generation can never be served for a newer one.
        const { currentAccessJti: _access, graceSealed: _sealed, graceUntil: _until, ...kept } = current;
        const next: RefreshFamilyRecord = {
          ...kept,
          generation,
          currentJti,
          ...(currentAccessJti === undefined ? {} : { currentAccessJti }),
          rotatedAt,
          ...(graceSealed === undefined ? {} : { graceSealed }),
          ...(graceUntil === undefined ? {} : { graceUntil }),
        };
        this.#write.run(JSON.stringify(next), id);
        return next;
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'refreshTokens.rotate');
    }
    this.#ctx.authStateChanged();
    return rotated;
  }

  async revoke(familyId: string, reason: string, at: number): Promise<void> {
    const id = requireString('familyId', familyId, KEY_MAX);
    const revokedReason = requireString('reason', reason, KEY_MAX);
    const revokedAt = requireNumber('at', at);
    let changed: boolean;
    try {
      changed = this.#ctx.transaction(() => {
        const row = this.#read.get(id);
        if (row === undefined) throw new NotFoundError('refresh-token family not found');
        const current = parseRecord<RefreshFamilyRecord>(row);
        // Only an active family changes: the first revocation's reason is kept.
        if (current.status !== 'active') return false;
        const next: RefreshFamilyRecord = { ...current, status: 'revoked', revokedReason };
        this.#revoke.run(JSON.stringify(next), revokedAt, id);
        return true;
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'refreshTokens.revoke');
    }
    if (changed) this.#ctx.authStateChanged();
  }

  async listByUser(userUuid: string): Promise<readonly RefreshFamilyRecord[]> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    return this.#ctx.readRecords<RefreshFamilyRecord>(this.#byUser, 'refreshTokens.listByUser', user);
  }
}

/** A validated copy of `family` holding only the record's fields. */
function toRecord(family: RefreshFamilyRecord): RefreshFamilyRecord {
  requireObject('family', family);
  const currentAccessJti = optionalString('family.currentAccessJti', family.currentAccessJti, KEY_MAX);
  const graceSealed = optionalString('family.graceSealed', family.graceSealed, SEALED_MAX);
  const graceUntil = optionalNumber('family.graceUntil', family.graceUntil);
  const revokedReason = optionalString('family.revokedReason', family.revokedReason, KEY_MAX);
  return {
    familyId: requireString('family.familyId', family.familyId, KEY_MAX),
    userUuid: requireString('family.userUuid', family.userUuid, KEY_MAX),
    deviceId: requireString('family.deviceId', family.deviceId, KEY_MAX),
    generation: requireInteger('family.generation', family.generation),
    currentJti: requireString('family.currentJti', family.currentJti, KEY_MAX),
    ...(currentAccessJti === undefined ? {} : { currentAccessJti }),
    rotatedAt: requireNumber('family.rotatedAt', family.rotatedAt),
    ...(graceSealed === undefined ? {} : { graceSealed }),
    ...(graceUntil === undefined ? {} : { graceUntil }),
    status: requireOneOf('family.status', family.status, ['active', 'revoked'] as const),
    ...(revokedReason === undefined ? {} : { revokedReason }),
    createdAt: requireNumber('family.createdAt', family.createdAt),
    expiresAt: requireNumber('family.expiresAt', family.expiresAt),
  };
}
