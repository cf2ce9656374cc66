/**
 * AuditLog on MongoDB: append-only, `_id` = eventId, indexes `by_time` (at desc, _id desc) and
 * `by_user_time`. Pages are newest first; the cursor is the (at, eventId) of the last item
 * returned, so pages stay stable while new events are appended. `detail` is stored as JSON
 * text: its keys come from callers and may hold characters a document key cannot.
 *
 * Growth: events are kept for good (no TTL index; never a per-user cap); retention is the
 * operator's, and `CITY_AUDIT_RETENTION_DAYS` applies to the SQLite store only.
 */
import type { AuditEvent, AuditEventType, AuditLog, Page } from '@city/ports';
import type { Collection, Filter } from 'mongodb';
import { AUDIT_EVENT_TYPES } from '../lib/audit-event-types.js';
import {
  optionalString,
  requireLimit,
  requireNumber,
  requireOneOf,
  requireScalarMapJson,
  requireString,
} from './_guards.js';
import { type UniqueFieldNames, withMongoErrors } from './_map-mongo-error.js';
import { decodeCursor, encodeCursor } from './_mongo-cursor.js';
import { MongoInputError } from './mongo-input-error.js';

const UNIQUE_FIELDS: UniqueFieldNames = { _id: 'eventId' };

/** The stored form of an audit event. */
export interface AuditEventDocument {
  _id: string;
  type: AuditEventType;
  at: number;
  userUuid?: string;
  deviceId?: string;
  ip?: string;
  reason?: string;
  detailJson?: string;
}

/** Creates the audit collection's indexes (idempotent). */
export async function createAuditIndexes(collection: Collection<AuditEventDocument>): Promise<void> {
  await collection.createIndex({ at: -1, _id: -1 }, { name: 'by_time' });
  await collection.createIndex({ userUuid: 1, at: -1, _id: -1 }, { name: 'by_user_time' });
}

/** AuditLog backed by MongoDB. */
export class MongoAuditLog implements AuditLog {
  readonly #events: Collection<AuditEventDocument>;

  constructor(events: Collection<AuditEventDocument>) {
    this.#events = events;
  }

  async append(event: AuditEvent): Promise<void> {
    if (typeof event !== 'object' || event === null) {
      throw new MongoInputError('event', '"event" expected an object');
    }
    const userUuid = optionalString('event.userUuid', event.userUuid, 256);
    const deviceId = optionalString('event.deviceId', event.deviceId, 256);
    const ip = optionalString('event.ip', event.ip, 256);
    const reason = optionalString('event.reason', event.reason, 1024);
    const detailJson =
      event.detail === undefined || event.detail === null
        ? undefined
        : requireScalarMapJson('event.detail', event.detail);
    const doc: AuditEventDocument = {
      _id: requireString('event.eventId', event.eventId, 256),
      type: requireOneOf('event.type', event.type, AUDIT_EVENT_TYPES),
      at: requireNumber('event.at', event.at),
      ...(userUuid === undefined ? {} : { userUuid }),
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(ip === undefined ? {} : { ip }),
      ...(reason === undefined ? {} : { reason }),
      ...(detailJson === undefined ? {} : { detailJson }),
    };
    await withMongoErrors(UNIQUE_FIELDS, () => this.#events.insertOne(doc));
  }

  async list(options: {
    userUuid?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<AuditEvent>> {
    const limit = requireLimit('limit', options?.limit);
    const userUuid = optionalString('userUuid', options.userUuid, 256);
    const filter: Filter<AuditEventDocument> = userUuid === undefined ? {} : { userUuid };
    if (options.cursor !== undefined) {
      const [at, eventId] = decodeCursor(options.cursor, ['number', 'string'] as const);
      filter.$or = [{ at: { $lt: at } }, { at, _id: { $lt: eventId } }];
    }
    const docs = await withMongoErrors(UNIQUE_FIELDS, () =>
      this.#events
        .find(filter)
        .sort({ at: -1, _id: -1 })
        .limit(limit + 1)
        .toArray(),
    );
    const page = docs.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toEvent),
      ...(docs.length > limit && last ? { cursor: encodeCursor([last.at, last._id]) } : {}),
    };
  }
}

function toEvent(doc: AuditEventDocument): AuditEvent {
  return {
    eventId: doc._id,
    type: doc.type,
    at: doc.at,
    ...(typeof doc.userUuid === 'string' ? { userUuid: doc.userUuid } : {}),
    ...(typeof doc.deviceId === 'string' ? { deviceId: doc.deviceId } : {}),
    ...(typeof doc.ip === 'string' ? { ip: doc.ip } : {}),
    ...(typeof doc.reason === 'string' ? { reason: doc.reason } : {}),
    ...(typeof doc.detailJson === 'string'
      ? { detail: JSON.parse(doc.detailJson) as Record<string, string | number | boolean> }
      : {}),
  };
}
