/**
 * Maps MongoDB driver errors to the port errors (`ConflictError`, `StoreUnavailableError`), so
 * use cases never see a driver type. Duplicate keys (server code 11000) name the unique field
 * through the index that clashed; every other driver or server failure means the store cannot
 * serve the request right now.
 */
import { isCityError } from '@city/errors';
import { ConflictError, StoreUnavailableError } from '@city/ports';
import { MongoError, MongoServerError } from 'mongodb';

/** Server error code for a unique index violation. */
const DUPLICATE_KEY = 11000;

/** Maps index names (and indexed field names) of one collection to the port's field names. */
export type UniqueFieldNames = Readonly<Record<string, string>>;

/**
 * True when `error` is a duplicate-key violation. FerretDB v1 reports one raised by an update
 * as `InternalError` (code 1) carrying SQLite's "UNIQUE constraint failed" text.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  return (
    error.code === DUPLICATE_KEY || (error.code === 1 && error.message.includes('UNIQUE constraint failed'))
  );
}

/**
 * Runs `operation`, translating driver errors. `fields` maps index/field names to conflict
 * fields; `identify` finds the clashing field when the server names neither key nor index
 * (FerretDB answers only "E11000 duplicate key error collection: db.coll").
 */
export async function withMongoErrors<T>(
  fields: UniqueFieldNames,
  operation: () => Promise<T>,
  identify?: () => Promise<string | undefined>,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isDuplicateKeyError(error)) {
      let field = conflictField(error as MongoServerError, fields);
      if (field === undefined && identify) field = await identifySafely(identify);
      field ??= fields._id ?? 'id';
      throw new ConflictError(field, `${field} already exists`, { cause: error });
    }
    throw toPortError(error);
  }
}

async function identifySafely(identify: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await identify();
  } catch (error) {
    throw toPortError(error);
  }
}

/** The port error for a driver error (CityErrors and programming errors pass through unchanged). */
export function toPortError(error: unknown): unknown {
  if (isCityError(error)) return error;
  if (error instanceof MongoError) {
    return new StoreUnavailableError('the MongoDB store is unavailable', { cause: error });
  }
  return error;
}

function conflictField(error: MongoServerError, fields: UniqueFieldNames): string | undefined {
  // Real MongoDB reports `keyPattern`; FerretDB and older servers only name the index in the message.
  const keyPattern = error.keyPattern as Record<string, unknown> | undefined;
  if (keyPattern) {
    for (const key of Object.keys(keyPattern)) {
      const field = fields[key];
      if (field) return field;
    }
  }
  const message = typeof error.errmsg === 'string' ? error.errmsg : error.message;
  // FerretDB/SQLite: "UNIQUE constraint failed: index '<table>_<hash>_uniq_fingerprint'".
  const sqliteIndex = /UNIQUE constraint failed: index '[^']*?_(uniq_[A-Za-z0-9]+)'/.exec(message)?.[1];
  if (sqliteIndex !== undefined) return fields[sqliteIndex];
  const indexName = /index:\s*(\S+)/.exec(message)?.[1];
  if (indexName === '_id_') return fields._id;
  if (indexName !== undefined) return fields[indexName];
  return undefined;
}
