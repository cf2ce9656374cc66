/**
 * PairingTokenStore on SQLite: table `pairing_tokens` keyed by the token's hash; consuming is
 * one atomic conditional UPDATE (see `_one-time-items.ts`), so of N concurrent redeemers of one
 * token exactly one pairs a device (the pairing race).
 */
import type { ConsumeResult, PairingTokenRecord, PairingTokenStore } from '@city/ports';
import { optionalString, requireNumber, requireObject, requireString } from './_guards.js';
import { SqliteOneTimeItems } from './_one-time-items.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import type { SqliteContext } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** PairingTokenStore backed by SQLite. */
export class SqlitePairingTokenStore implements PairingTokenStore {
  readonly #items: SqliteOneTimeItems<PairingTokenRecord>;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#items = new SqliteOneTimeItems(ctx, reclaimer, 'pairing_tokens', 'token_hash', 'tokenHash');
  }

  async create(token: PairingTokenRecord): Promise<void> {
    requireObject('token', token);
    const deviceLabel = optionalString('token.deviceLabel', token.deviceLabel, KEY_MAX);
    const record: PairingTokenRecord = {
      tokenHash: requireString('token.tokenHash', token.tokenHash, KEY_MAX),
      userUuid: requireString('token.userUuid', token.userUuid, KEY_MAX),
      parentDeviceId: requireString('token.parentDeviceId', token.parentDeviceId, KEY_MAX),
      ...(deviceLabel === undefined ? {} : { deviceLabel }),
      createdAt: requireNumber('token.createdAt', token.createdAt),
      expiresAt: requireNumber('token.expiresAt', token.expiresAt),
    };
    this.#items.create(record.tokenHash, record, 'pairingTokens.create');
  }

  async get(tokenHash: string): Promise<PairingTokenRecord | undefined> {
    return this.#items.get(tokenHash, 'pairingTokens.get');
  }

  async consume(tokenHash: string, now: number): Promise<ConsumeResult<PairingTokenRecord>> {
    return this.#items.consume(tokenHash, now, 'pairingTokens.consume');
  }
}
