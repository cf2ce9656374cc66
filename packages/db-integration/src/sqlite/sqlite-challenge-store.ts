/**
 * ChallengeStore on SQLite: table `challenges` keyed by challenge id; consuming is one atomic
 * conditional UPDATE (see `_one-time-items.ts`), so a signed nonce is accepted once.
 */
import type { ChallengeRecord, ChallengeStore, ConsumeResult } from '@city/ports';
import { optionalString, requireNumber, requireObject, requireString } from './_guards.js';
import { SqliteOneTimeItems } from './_one-time-items.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import type { SqliteContext } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** ChallengeStore backed by SQLite. */
export class SqliteChallengeStore implements ChallengeStore {
  readonly #items: SqliteOneTimeItems<ChallengeRecord>;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#items = new SqliteOneTimeItems(ctx, reclaimer, 'challenges', 'challenge_id', 'challengeId', true);
  }

  async create(challenge: ChallengeRecord): Promise<void> {
    requireObject('challenge', challenge);
    const userUuid = optionalString('challenge.userUuid', challenge.userUuid, KEY_MAX);
    const record: ChallengeRecord = {
      challengeId: requireString('challenge.challengeId', challenge.challengeId, KEY_MAX),
      nonce: requireString('challenge.nonce', challenge.nonce, KEY_MAX),
      ...(userUuid === undefined ? {} : { userUuid }),
      createdAt: requireNumber('challenge.createdAt', challenge.createdAt),
      expiresAt: requireNumber('challenge.expiresAt', challenge.expiresAt),
    };
    this.#items.create(record.challengeId, record, 'challenges.create');
  }

  async consume(challengeId: string, now: number): Promise<ConsumeResult<ChallengeRecord>> {
    return this.#items.consume(challengeId, now, 'challenges.consume');
  }
}
