/**
 * UserStore on a MongoDB collection.
 *
 * Layout: one document per user, `_id` = uuid, unique indexes `uniq_usernameKey`,
 * `uniq_emailIndex` and `uniq_mynumberKey`. The mynumber is optional, and a unique index over
 * an optional field needs a partial or sparse index, which FerretDB does not implement. So
 * every user stores `mynumberKey`, always present and namespaced: `m:<mynumberIndex>` when a
 * mynumber was given, `u:<uuid>` (unique by construction) when not. All three uniqueness rules
 * are then checked by one single-document insert: there is no window in which a crash leaves
 * a half-registered user or a dangling claim, and of N concurrent creates exactly one wins.
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
import { Binary, type Collection, type Db } from 'mongodb';
import {
  optionalString,
  requireInteger,
  requireLimit,
  requireNumber,
  requireOneOf,
  requireString,
  requireStringMap,
} from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import { decodeCursor, encodeCursor } from './_mongo-cursor.js';
import type { WriteSerializer } from './_serialize-writes.js';
import { MongoInputError } from './mongo-input-error.js';

const STATUSES = ['active', 'disabled'] as const;

/** Index and field names → the `ConflictError.field` the port promises. */
const UNIQUE_FIELDS: UniqueFieldNames = {
  _id: 'uuid',
  uniq_usernameKey: 'username',
  usernameKey: 'username',
  uniq_emailIndex: 'email',
  emailIndex: 'email',
  uniq_mynumberKey: 'mynumber',
  mynumberKey: 'mynumber',
};

/** The stored form of a user. */
export interface UserDocument {
  _id: string;
  username: string;
  usernameKey: string;
  emailIndex: string;
  mynumberIndex?: string;
  mynumberKey: string;
  passwordHash: string;
  roles: Role[];
  status: 'active' | 'disabled';
  encrypted: Record<string, string | Binary>;
  initialHarmonyToken: number;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** Creates the user collection's indexes (idempotent). */
export async function createUserIndexes(collection: Collection<UserDocument>): Promise<void> {
  await collection.createIndex({ usernameKey: 1 }, { name: 'uniq_usernameKey', unique: true });
  await collection.createIndex({ emailIndex: 1 }, { name: 'uniq_emailIndex', unique: true });
  await collection.createIndex({ mynumberKey: 1 }, { name: 'uniq_mynumberKey', unique: true });
}

/** UserStore backed by MongoDB. */
export class MongoUserStore implements UserStore {
  readonly #users: Collection<UserDocument>;
  readonly #db: Db;
  readonly #serialize: WriteSerializer;

  constructor(db: Db, collection: Collection<UserDocument>, serialize: WriteSerializer) {
    this.#db = db;
    this.#users = collection;
    this.#serialize = serialize;
  }

  async create(user: UserRecord): Promise<void> {
    const doc = toDocument(user);
    await withMongoErrors(
      UNIQUE_FIELDS,
      () => this.#users.insertOne(doc),
      () => this.#identifyConflict(doc),
    );
  }

  async getByUuid(uuid: string): Promise<UserRecord | undefined> {
    const id = requireString('uuid', uuid, 256);
    return this.#findOne({ _id: id });
  }

  async getByUsernameKey(usernameKey: string): Promise<UserRecord | undefined> {
    const key = requireString('usernameKey', usernameKey, 1024);
    return this.#findOne({ usernameKey: key });
  }

  async getByEmailIndex(emailIndex: string): Promise<UserRecord | undefined> {
    const index = requireString('emailIndex', emailIndex, 1024);
    return this.#findOne({ emailIndex: index });
  }

  async getByMynumberIndex(mynumberIndex: string): Promise<UserRecord | undefined> {
    const index = requireString('mynumberIndex', mynumberIndex, 1024);
    return this.#findOne({ mynumberKey: `m:${index}` });
  }

  async update(uuid: string, patch: UserPatch, expectedVersion: number, now: number): Promise<UserRecord> {
    const id = requireString('uuid', uuid, 256);
    const version = requireInteger('expectedVersion', expectedVersion);
    const updatedAt = requireNumber('now', now);
    const set = patchToSet(patch);
    const updated = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#serialize(`users:${id}`, () =>
        this.#users.findOneAndUpdate(
          { _id: id, version },
          { $set: { ...set, updatedAt, version: version + 1 } },
          { returnDocument: 'after' },
        ),
      ),
    );
    if (updated) return toRecord(updated);
    const current = await this.#findOne({ _id: id });
    if (!current) throw new NotFoundError('user not found');
    throw new ConflictError('version', 'user was modified concurrently');
  }

  async list(options: { limit: number; cursor?: string | undefined }): Promise<Page<UserRecord>> {
    const limit = requireLimit('limit', options?.limit);
    const filter: { _id?: { $gt: string } } = {};
    if (options.cursor !== undefined) {
      const [after] = decodeCursor(options.cursor, ['string'] as const);
      filter._id = { $gt: after };
    }
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#users
        .find(filter)
        .sort({ _id: 1 })
        .limit(limit + 1)
        .toArray(),
    );
    const page = docs.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toRecord),
      ...(docs.length > limit && last ? { cursor: encodeCursor([last._id]) } : {}),
    };
  }

  async ping(): Promise<void> {
    await withMongoErrors(UNIQUE_FIELDS, () => this.#db.command({ ping: 1 }));
  }

  /** Which unique value of `doc` is taken (users are never deleted, so the clash is still visible). */
  async #identifyConflict(doc: UserDocument): Promise<string | undefined> {
    if (await this.#users.findOne({ _id: doc._id }, { projection: { _id: 1 } })) return 'uuid';
    if (await this.#users.findOne({ usernameKey: doc.usernameKey }, { projection: { _id: 1 } }))
      return 'username';
    if (await this.#users.findOne({ emailIndex: doc.emailIndex }, { projection: { _id: 1 } })) return 'email';
    if (await this.#users.findOne({ mynumberKey: doc.mynumberKey }, { projection: { _id: 1 } }))
      return 'mynumber';
    return undefined;
  }

  async #findOne(
    filter: { _id: string } | { usernameKey: string } | { emailIndex: string } | { mynumberKey: string },
  ): Promise<UserRecord | undefined> {
    const doc = await withMongoErrors(UNIQUE_FIELDS, () => this.#users.findOne(filter));
    return doc ? toRecord(doc) : undefined;
  }
}

function requireRoles(name: string, value: unknown): Role[] {
  if (!Array.isArray(value)) throw new MongoInputError(name, `"${name}" expected an array of roles`);
  return value.map((role, i) => requireOneOf(`${name}[${i}]`, role, ROLES));
}

function toDocument(user: UserRecord): UserDocument {
  if (typeof user !== 'object' || user === null)
    throw new MongoInputError('user', '"user" expected an object');
  const uuid = requireString('user.uuid', user.uuid, 256);
  const mynumberIndex = optionalString('user.mynumberIndex', user.mynumberIndex, 1024);
  const initialHarmonyToken = requireInteger('user.initialHarmonyToken', user.initialHarmonyToken);
  if (initialHarmonyToken < 0) {
    throw new MongoInputError('user.initialHarmonyToken', '"user.initialHarmonyToken" must not be negative');
  }
  return {
    _id: uuid,
    username: requireString('user.username', user.username, 1024),
    usernameKey: requireString('user.usernameKey', user.usernameKey, 1024),
    emailIndex: requireString('user.emailIndex', user.emailIndex, 1024),
    ...(mynumberIndex === undefined ? {} : { mynumberIndex }),
    mynumberKey: mynumberIndex === undefined ? `u:${uuid}` : `m:${mynumberIndex}`,
    passwordHash: requireString('user.passwordHash', user.passwordHash, 4096),
    roles: requireRoles('user.roles', user.roles),
    status: requireOneOf('user.status', user.status, STATUSES),
    encrypted: toStoredFields(requireStringMap('user.encrypted', user.encrypted)),
    initialHarmonyToken,
    createdAt: requireNumber('user.createdAt', user.createdAt),
    updatedAt: requireNumber('user.updatedAt', user.updatedAt),
    version: requireInteger('user.version', user.version),
  };
}

function patchToSet(patch: UserPatch): Partial<UserDocument> {
  if (typeof patch !== 'object' || patch === null)
    throw new MongoInputError('patch', '"patch" expected an object');
  const set: Partial<UserDocument> = {};
  if (patch.passwordHash !== undefined)
    set.passwordHash = requireString('patch.passwordHash', patch.passwordHash, 4096);
  if (patch.roles !== undefined) set.roles = requireRoles('patch.roles', patch.roles);
  if (patch.status !== undefined) set.status = requireOneOf('patch.status', patch.status, STATUSES);
  if (patch.encrypted !== undefined)
    set.encrypted = toStoredFields(requireStringMap('patch.encrypted', patch.encrypted));
  return set;
}

function toRecord(doc: UserDocument): UserRecord {
  return {
    uuid: doc._id,
    username: doc.username,
    usernameKey: doc.usernameKey,
    emailIndex: doc.emailIndex,
    ...(typeof doc.mynumberIndex === 'string' ? { mynumberIndex: doc.mynumberIndex } : {}),
    passwordHash: doc.passwordHash,
    roles: [...doc.roles],
    status: doc.status,
    encrypted: fromStoredFields(doc.encrypted),
    initialHarmonyToken: doc.initialHarmonyToken,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    version: doc.version,
  };
}

/**
 * Field ciphertexts in MongoDB CSFLE's format arrive as `fle1.<base64url payload>` and are stored as
 * what libmongocrypt reads: BinData subtype 6 (encrypted value). Other ciphertexts stay strings.
 */
const CSFLE_FIELD_PREFIX = 'fle1.';

function toStoredFields(fields: Record<string, string>): Record<string, string | Binary> {
  const out: Record<string, string | Binary> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value.startsWith(CSFLE_FIELD_PREFIX)
      ? new Binary(Buffer.from(value.slice(CSFLE_FIELD_PREFIX.length), 'base64url'), Binary.SUBTYPE_ENCRYPTED)
      : value;
  }
  return out;
}

function fromStoredFields(fields: Record<string, string | Binary>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      typeof value === 'string'
        ? value
        : `${CSFLE_FIELD_PREFIX}${Buffer.from(value.buffer).toString('base64url')}`;
  }
  return out;
}
