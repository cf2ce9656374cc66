/**
 * RecoveryCodeStore on SQLite: table `recovery_codes`, one row per code of a user's current set
 * (`PRIMARY KEY (user_uuid, code_hash)`). Replacing a set deletes and inserts inside one
 * `BEGIN IMMEDIATE … COMMIT`, so readers see the old set or the new one, never a mix; consuming
 * a code is ONE statement — `UPDATE … SET used_at WHERE … AND used_at IS NULL RETURNING` — which
 * SQLite runs atomically under its write lock, so of N concurrent uses of one code (in this
 * process or any other) exactly one gets the row.
 */
import type { ConsumeResult, RecoveryCodeSetRecord, RecoveryCodeStore } from '@city/ports';
import { requireNumber, requireObject, requireString } from './_guards.js';
import type { SqliteContext } from './_sqlite-context.js';
import { SqliteInputError } from './sqlite-input-error.js';

const KEY_MAX = 256;
const MAX_CODES = 64;

type Row = readonly [string, string, number, number, number | null];

/** RecoveryCodeStore backed by SQLite. */
export class SqliteRecoveryCodeStore implements RecoveryCodeStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #deleteUser;
  readonly #read;
  readonly #consume;
  readonly #state;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare(
      'INSERT INTO recovery_codes (user_uuid, code_hash, set_id, position, created_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)',
    );
    this.#deleteUser = ctx.prepare('DELETE FROM recovery_codes WHERE user_uuid = ?');
    this.#read = ctx.prepare(
      'SELECT code_hash, set_id, position, created_at, used_at FROM recovery_codes WHERE user_uuid = ? ORDER BY position',
    );
    this.#consume = ctx.prepare(
      'UPDATE recovery_codes SET used_at = ? WHERE user_uuid = ? AND code_hash = ? AND used_at IS NULL RETURNING set_id',
    );
    this.#state = ctx.prepare('SELECT used_at FROM recovery_codes WHERE user_uuid = ? AND code_hash = ?');
  }

  async replace(set: RecoveryCodeSetRecord): Promise<void> {
    const valid = validateSet(set);
    try {
      this.#ctx.transaction(() => {
        this.#deleteUser.run(valid.userUuid);
        valid.codeHashes.forEach((hash, position) => {
          this.#insert.run(valid.userUuid, hash, valid.setId, position, valid.createdAt);
        });
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'recoveryCodes.replace');
    }
  }

  async get(userUuid: string): Promise<RecoveryCodeSetRecord | undefined> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    return this.#readSet(uuid, 'recoveryCodes.get');
  }

  async consume(
    userUuid: string,
    codeHash: string,
    now: number,
  ): Promise<ConsumeResult<RecoveryCodeSetRecord>> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    const hash = requireString('codeHash', codeHash, KEY_MAX);
    const at = requireNumber('now', now);
    try {
      // The update and the read of the set after it run in one transaction: the answer is the
      // set this use was made in, even if a regeneration commits right after.
      return this.#ctx.transaction((): ConsumeResult<RecoveryCodeSetRecord> => {
        const row = this.#consume.get(at, uuid, hash);
        if (row === undefined) {
          const state = this.#state.get(uuid, hash) as readonly [number | null] | undefined;
          return { ok: false, reason: state === undefined ? 'not_found' : 'used' };
        }
        const record = this.#readSet(uuid, 'recoveryCodes.consume');
        if (record === undefined) return { ok: false, reason: 'not_found' };
        return { ok: true, record };
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'recoveryCodes.consume');
    }
  }

  async remove(userUuid: string): Promise<void> {
    const uuid = requireString('userUuid', userUuid, KEY_MAX);
    try {
      this.#deleteUser.run(uuid);
    } catch (error) {
      throw this.#ctx.fail(error, 'recoveryCodes.remove');
    }
  }

  #readSet(userUuid: string, what: string): RecoveryCodeSetRecord | undefined {
    let rows: Row[];
    try {
      rows = this.#read.all(userUuid) as unknown as Row[];
    } catch (error) {
      throw this.#ctx.fail(error, what);
    }
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      userUuid,
      setId: first[1],
      codeHashes: rows.map((row) => row[0]),
      usedCodeHashes: rows.filter((row) => row[4] !== null).map((row) => row[0]),
      createdAt: first[3],
    };
  }
}

/** Checks a set before it is written: 1..64 distinct hashes, none marked used. */
function validateSet(set: RecoveryCodeSetRecord): RecoveryCodeSetRecord {
  requireObject('set', set);
  const userUuid = requireString('set.userUuid', set.userUuid, KEY_MAX);
  const setId = requireString('set.setId', set.setId, KEY_MAX);
  const createdAt = requireNumber('set.createdAt', set.createdAt);
  if (!Array.isArray(set.codeHashes) || set.codeHashes.length === 0 || set.codeHashes.length > MAX_CODES) {
    throw new SqliteInputError('set.codeHashes', `"set.codeHashes" expected 1..${MAX_CODES} hashes`);
  }
  const codeHashes = set.codeHashes.map((hash, i) => requireString(`set.codeHashes[${i}]`, hash, KEY_MAX));
  if (new Set(codeHashes).size !== codeHashes.length) {
    throw new SqliteInputError('set.codeHashes', '"set.codeHashes" expected distinct hashes');
  }
  if (!Array.isArray(set.usedCodeHashes) || set.usedCodeHashes.length !== 0) {
    throw new SqliteInputError('set.usedCodeHashes', '"set.usedCodeHashes" expected [] in a new set');
  }
  return { userUuid, setId, codeHashes, usedCodeHashes: [], createdAt };
}
