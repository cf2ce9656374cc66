/**
 * AuditLog on SQLite: append-only table `audit_events` (event_id PRIMARY KEY) with indexes
 * `(at DESC, event_id DESC)` and, for events with a user, `(user_uuid, at DESC, event_id DESC)`.
 * Pages are newest first; the cursor is the (at, eventId) of the last item returned and the
 * next page is a row-value range on the index, so pages stay stable while events are appended.
 * Events older than the retention (`auditRetentionDays`, default 400) are deleted in bounded
 * batches by the reclaimer (`_reclaimer.ts`), by age only: there is no per-user cap, so no amount
 * of activity pushes a trail out early.
 */
import type { AuditEvent, AuditLog, Page } from '@city/ports';
import { AUDIT_EVENT_TYPES } from '../lib/audit-event-types.js';
import { decodeCursor, encodeCursor } from '../lib/page-cursor.js';
import {
  optionalString,
  requireLimit,
  requireNumber,
  requireObject,
  requireOneOf,
  requireScalarMap,
  requireString,
} from './_guards.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import { parseRecord, type SqliteContext, type UniqueFields } from './_sqlite-context.js';

const KEY_MAX = 1024;
const UNIQUE: UniqueFields = { 'audit_events.event_id': 'eventId' };

const ORDER = 'ORDER BY at DESC, event_id DESC LIMIT ?';

/** AuditLog backed by SQLite. */
export class SqliteAuditLog implements AuditLog {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  readonly #insert;
  readonly #all;
  readonly #allAfter;
  readonly #byUser;
  readonly #byUserAfter;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    this.#insert = ctx.prepare(
      'INSERT INTO audit_events (event_id, at, user_uuid, record) VALUES (?, ?, ?, ?)',
    );
    this.#all = ctx.prepare(`SELECT at, event_id, record FROM audit_events ${ORDER}`);
    this.#allAfter = ctx.prepare(
      `SELECT at, event_id, record FROM audit_events WHERE (at, event_id) < (?, ?) ${ORDER}`,
    );
    this.#byUser = ctx.prepare(`SELECT at, event_id, record FROM audit_events WHERE user_uuid = ? ${ORDER}`);
    this.#byUserAfter = ctx.prepare(
      `SELECT at, event_id, record FROM audit_events WHERE user_uuid = ? AND (at, event_id) < (?, ?) ${ORDER}`,
    );
  }

  async append(event: AuditEvent): Promise<void> {
    requireObject('event', event);
    const userUuid = optionalString('event.userUuid', event.userUuid, KEY_MAX);
    const deviceId = optionalString('event.deviceId', event.deviceId, KEY_MAX);
    const ip = optionalString('event.ip', event.ip, KEY_MAX);
    const reason = optionalString('event.reason', event.reason, KEY_MAX);
    const detail = event.detail === undefined ? undefined : requireScalarMap('event.detail', event.detail);
    const record: AuditEvent = {
      eventId: requireString('event.eventId', event.eventId, KEY_MAX),
      type: requireOneOf('event.type', event.type, AUDIT_EVENT_TYPES),
      at: requireNumber('event.at', event.at),
      ...(userUuid === undefined ? {} : { userUuid }),
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(ip === undefined ? {} : { ip }),
      ...(reason === undefined ? {} : { reason }),
      ...(detail === undefined ? {} : { detail }),
    };
    try {
      this.#ctx.relaxed(() =>
        this.#insert.run(record.eventId, record.at, userUuid ?? null, JSON.stringify(record)),
      );
    } catch (error) {
      throw this.#ctx.fail(error, 'audit.append', UNIQUE);
    }
    this.#reclaimer.wrote();
  }

  async list(options: {
    userUuid?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<AuditEvent>> {
    requireObject('options', options);
    const limit = requireLimit('limit', options.limit);
    const userUuid = optionalString('userUuid', options.userUuid, KEY_MAX);
    const resume = decodeCursor<{ at: number; id: string }>(
      options.cursor,
      (value) => typeof value.at === 'number' && typeof value.id === 'string',
    );
    let rows: unknown[];
    let items: AuditEvent[];
    try {
      // One row more than asked tells whether another page exists.
      if (userUuid === undefined) {
        rows =
          resume === undefined
            ? this.#all.all(limit + 1)
            : this.#allAfter.all(resume.at, resume.id, limit + 1);
      } else {
        rows =
          resume === undefined
            ? this.#byUser.all(userUuid, limit + 1)
            : this.#byUserAfter.all(userUuid, resume.at as number, resume.id as string, limit + 1);
      }
      items = rows.slice(0, limit).map((row) => parseRecord<AuditEvent>(row, 2));
    } catch (error) {
      throw this.#ctx.fail(error, 'audit.list');
    }
    const last = rows.at(limit - 1) as readonly [number, string, string] | undefined;
    return rows.length > limit && last !== undefined
      ? { items, cursor: encodeCursor({ at: last[0], id: last[1] }) as string }
      : { items };
  }
}
