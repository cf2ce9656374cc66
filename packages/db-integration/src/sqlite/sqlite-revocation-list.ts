/**
 * RevocationList (jti denylist) on SQLite: table `revoked_tokens (jti PRIMARY KEY, expires_at)`.
 * Revoking is one upsert keeping the later expiry; `isRevoked` compares `expires_at` with the
 * `now` passed in. Every revoke counts towards the amortised sweep of long-expired ids
 * (`_reclaimer.ts`).
 */
import type { RevocationList } from '@city/ports';
import { requireNumber, requireString } from './_guards.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import type { SqliteContext } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** RevocationList backed by SQLite. */
export class SqliteRevocationList implements RevocationList {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  readonly #upsert;
  readonly #read;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    this.#upsert = ctx.prepare(
      'INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ' +
        'ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)',
    );
    this.#read = ctx.prepare('SELECT expires_at FROM revoked_tokens WHERE jti = ?');
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    const id = requireString('jti', jti, KEY_MAX);
    const until = requireNumber('expiresAt', expiresAt);
    try {
      this.#upsert.run(id, until);
    } catch (error) {
      throw this.#ctx.fail(error, 'revocations.revoke');
    }
    this.#ctx.authStateChanged();
    this.#reclaimer.wrote();
  }

  async isRevoked(jti: string, now: number): Promise<boolean> {
    const id = requireString('jti', jti, KEY_MAX);
    const at = requireNumber('now', now);
    let row: unknown;
    try {
      row = this.#read.get(id);
    } catch (error) {
      throw this.#ctx.fail(error, 'revocations.isRevoked');
    }
    return row !== undefined && ((row as readonly number[])[0] as number) > at;
  }
}
