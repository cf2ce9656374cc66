/**
 * UserStore on SQLite: table `users` (uuid PRIMARY KEY; username_key, email_index and
 * mynumber_index UNIQUE — NULL for users without a mynumber, and UNIQUE admits many NULLs).
 * All three uniqueness rules are checked by one INSERT, so a failed create claims nothing and
 * of N concurrent creates exactly one wins. `update` is a version compare-and-set inside
 * `BEGIN IMMEDIATE`.
 */
import {
  ConflictError,
  NotFoundError,
  type Page,
  ROLES,
  type Role,
  type UserPatch,
  type UserRecord,
  type UserStore,
} from '@city/ports';
import { decodeCursor, encodeCursor, hasStringAttributes } from '../lib/page-cursor.js';
import {
  optionalString,
  requireInteger,
  requireLimit,
  requireNumber,
  requireObject,
  requireOneOf,
  requireString,
  requireStringMap,
} from './_guards.js';
import { parseRecord, type SqliteContext, type UniqueFields } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const STATUSES = ['active', 'disabled'] as const;
const KEY_MAX = 1024;

const UNIQUE: UniqueFields = {
  'users.uuid': 'uuid',
  'users.username_key': 'username',
  'users.email_index': 'email',
  'users.mynumber_index': 'mynumber',
};

/** UserStore backed by SQLite. */
export class SqliteUserStore implements UserStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #byUuid;
  readonly #byUsernameKey;
  readonly #byEmailIndex;
  readonly #byMynumberIndex;
  readonly #write;
  readonly #firstPage;
  readonly #nextPage;
  readonly #ping;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare(
      'INSERT INTO users (uuid, username_key, email_index, mynumber_index, record) VALUES (?, ?, ?, ?, ?)',
    );
    this.#byUuid = ctx.prepare('SELECT record FROM users WHERE uuid = ?');
    this.#byUsernameKey = ctx.prepare('SELECT record FROM users WHERE username_key = ?');
    this.#byEmailIndex = ctx.prepare('SELECT record FROM users WHERE email_index = ?');
    this.#byMynumberIndex = ctx.prepare('SELECT record FROM users WHERE mynumber_index = ?');
    this.#write = ctx.prepare('UPDATE users SET record = ? WHERE uuid = ?');
    this.#firstPage = ctx.prepare('SELECT record FROM users ORDER BY uuid LIMIT ?');
    this.#nextPage = ctx.prepare('SELECT record FROM users WHERE uuid > ? ORDER BY uuid LIMIT ?');
    this.#ping = ctx.prepare('SELECT 1');
  }

  async create(user: UserRecord): Promise<void> {
    const record = toRecord(user);
    try {
      this.#insert.run(
        record.uuid,
        record.usernameKey,
        record.emailIndex,
        record.mynumberIndex ?? null,
        JSON.stringify(record),
      );
    } catch (error) {
      throw this.#ctx.fail(error, 'users.create', UNIQUE);
    }
    this.#ctx.authStateChanged();
  }

  async getByUuid(uuid: string): Promise<UserRecord | undefined> {
    const id = requireString('uuid', uuid, KEY_MAX);
    return this.#ctx.readRecord<UserRecord>(this.#byUuid, 'users.getByUuid', id);
  }

  async getByUsernameKey(usernameKey: string): Promise<UserRecord | undefined> {
    const key = requireString('usernameKey', usernameKey, KEY_MAX);
    return this.#ctx.readRecord<UserRecord>(this.#byUsernameKey, 'users.getByUsernameKey', key);
  }

  async getByEmailIndex(emailIndex: string): Promise<UserRecord | undefined> {
    const index = requireString('emailIndex', emailIndex, KEY_MAX);
    return this.#ctx.readRecord<UserRecord>(this.#byEmailIndex, 'users.getByEmailIndex', index);
  }

  async getByMynumberIndex(mynumberIndex: string): Promise<UserRecord | undefined> {
    const index = requireString('mynumberIndex', mynumberIndex, KEY_MAX);
    return this.#ctx.readRecord<UserRecord>(this.#byMynumberIndex, 'users.getByMynumberIndex', index);
  }

  async update(uuid: string, patch: UserPatch, expectedVersion: number, now: number): Promise<UserRecord> {
    const id = requireString('uuid', uuid, KEY_MAX);
    const changes = toChanges(patch);
    const version = requireInteger('expectedVersion', expectedVersion);
    const updatedAt = requireNumber('now', now);
    let updated: UserRecord;
    try {
      updated = this.#ctx.transaction(() => {
        const row = this.#byUuid.get(id);
        if (row === undefined) throw new NotFoundError('user not found');
        const current = parseRecord<UserRecord>(row);
        if (current.version !== version)
          throw new ConflictError('version', 'the user was changed concurrently');
        const next: UserRecord = { ...current, ...changes, updatedAt, version: version + 1 };
        this.#write.run(JSON.stringify(next), id);
        return next;
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'users.update');
    }
    this.#ctx.authStateChanged();
    return updated;
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<UserRecord>> {
    requireObject('options', options);
    const limit = requireLimit('limit', options.limit);
    const after = decodeCursor<{ after: string }>(options.cursor, (value) =>
      hasStringAttributes(value, ['after']),
    )?.after;
    // One row more than asked tells whether another page exists.
    const rows =
      typeof after === 'string'
        ? this.#ctx.readRecords<UserRecord>(this.#nextPage, 'users.list', after, limit + 1)
        : this.#ctx.readRecords<UserRecord>(this.#firstPage, 'users.list', limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return rows.length > limit && last !== undefined
      ? { items, cursor: encodeCursor({ after: last.uuid }) as string }
      : { items };
  }

  async ping(): Promise<void> {
    try {
      this.#ping.get();
    } catch (error) {
      throw this.#ctx.fail(error, 'users.ping');
    }
  }
}

function requireRoles(name: string, value: unknown): Role[] {
  if (!Array.isArray(value)) throw new SqliteInputError(name, `"${name}" expected an array of roles`);
  return value.map((role, i) => requireOneOf(`${name}[${i}]`, role, ROLES));
}

/** A validated copy of `user` holding only the record's fields (absent optionals stay absent). */
function toRecord(user: UserRecord): UserRecord {
  requireObject('user', user);
  const mynumberIndex = optionalString('user.mynumberIndex', user.mynumberIndex, KEY_MAX);
  const initialHarmonyToken = requireInteger('user.initialHarmonyToken', user.initialHarmonyToken);
  if (initialHarmonyToken < 0) {
    throw new SqliteInputError('user.initialHarmonyToken', '"user.initialHarmonyToken" must not be negative');
  }
  return {
    uuid: requireString('user.uuid', user.uuid, KEY_MAX),
    username: requireString('user.username', user.username, KEY_MAX),
    usernameKey: requireString('user.usernameKey', user.usernameKey, KEY_MAX),
    emailIndex: requireString('user.emailIndex', user.emailIndex, KEY_MAX),
    ...(mynumberIndex === undefined ? {} : { mynumberIndex }),
    passwordHash: requireString('user.passwordHash', user.passwordHash, 4096),
    roles: requireRoles('user.roles', user.roles),
    status: requireOneOf('user.status', user.status, STATUSES),
    encrypted: requireStringMap('user.encrypted', user.encrypted),
    initialHarmonyToken,
    createdAt: requireNumber('user.createdAt', user.createdAt),
    updatedAt: requireNumber('user.updatedAt', user.updatedAt),
    version: requireInteger('user.version', user.version),
  };
}

/** The validated fields of `patch` that are present. */
function toChanges(patch: UserPatch): UserPatch {
  requireObject('patch', patch);
  return {
    ...(patch.passwordHash === undefined
      ? {}
      : { passwordHash: requireString('patch.passwordHash', patch.passwordHash, 4096) }),
    ...(patch.roles === undefined ? {} : { roles: requireRoles('patch.roles', patch.roles) }),
    ...(patch.status === undefined ? {} : { status: requireOneOf('patch.status', patch.status, STATUSES) }),
    ...(patch.encrypted === undefined
      ? {}
      : { encrypted: requireStringMap('patch.encrypted', patch.encrypted) }),
  };
}
