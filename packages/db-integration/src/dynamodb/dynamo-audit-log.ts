/**
 * AuditLog on DynamoDB. Events live in day partitions (`bucket` = `day#YYYY-MM-DD`, UTC) with
 * sort key `seq` = zero-padded `at` + `#` + eventId, so a day reads newest first with one
 * Query. A small index partition (`bucket` = `days`, `seq` = the day) lists the days that
 * have events, so the admin listing walks only non-empty days — no Scan. Per-user listing is
 * a Query on the GSI `byUser` (`userUuid`, `seq`). The day index entry is written before the
 * event, so a crash in between leaves at most an empty day, never a hidden event.
 *
 * Growth: events carry no TTL and are kept for good (there is never a per-user cap, so no one
 * can push a trail out); retention is the operator's — whole day partitions can be exported and
 * deleted — and `CITY_AUDIT_RETENTION_DAYS` applies to the SQLite store only.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditLog, Page } from '@city/ports';
import { decodeCursor, encodeCursor, hasStringAttributes } from '../lib/page-cursor.js';
import { storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick } from './_context.js';

const DAYS = 'days';
const FIELDS: readonly (keyof AuditEvent & string)[] = [
  'eventId',
  'type',
  'at',
  'userUuid',
  'deviceId',
  'ip',
  'reason',
  'detail',
];

const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);
const seqOf = (event: AuditEvent): string =>
  `${String(Math.max(0, Math.floor(event.at))).padStart(16, '0')}#${event.eventId}`;
const toEvent = (item: Record<string, unknown>): AuditEvent => pick<AuditEvent>(item, FIELDS);

interface GlobalCursor {
  day: string;
  key?: Record<string, unknown>;
}

export class DynamoAuditLog implements AuditLog {
  /** Days already recorded in the index by this process (saves one write per event). */
  private readonly knownDays = new Set<string>();

  constructor(private readonly ctx: DynamoContext) {}

  async append(event: AuditEvent): Promise<void> {
    const day = dayOf(event.at);
    if (!this.knownDays.has(day)) {
      await storeCall('index audit day', () =>
        this.ctx.doc.send(
          new PutCommand({ TableName: this.ctx.tables.audit, Item: { bucket: DAYS, seq: day } }),
        ),
      );
      this.knownDays.add(day);
    }
    await storeCall('append audit event', () =>
      this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tables.audit,
          Item: { ...event, bucket: `day#${day}`, seq: seqOf(event) },
          // Appending is idempotent per eventId: an SDK retry must not create a second entry.
          ConditionExpression: 'attribute_not_exists(#seq) OR #eventId = :eventId',
          ExpressionAttributeNames: names('seq', 'eventId'),
          ExpressionAttributeValues: { ':eventId': event.eventId },
        }),
      ),
    );
  }

  async list(options: {
    userUuid?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<AuditEvent>> {
    const limit = Math.max(1, Math.floor(options.limit));
    return options.userUuid === undefined
      ? this.listAll(limit, options.cursor)
      : this.listByUser(options.userUuid, limit, options.cursor);
  }

  private async listByUser(
    userUuid: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditEvent>> {
    const out = await storeCall('list audit events', () =>
      this.ctx.doc.send(
        new QueryCommand({
          TableName: this.ctx.tables.audit,
          IndexName: 'byUser',
          KeyConditionExpression: '#userUuid = :userUuid',
          ExpressionAttributeNames: names('userUuid'),
          ExpressionAttributeValues: { ':userUuid': userUuid },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: decodeCursor<Record<string, unknown>>(cursor, (value) =>
            hasStringAttributes(value, ['bucket', 'seq', 'userUuid']),
          ),
        }),
      ),
    );
    return { items: (out.Items ?? []).map(toEvent), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** The newest day with events strictly before `before` (or the newest of all). */
  private async previousDay(before: string | undefined): Promise<string | undefined> {
    const out = await storeCall('list audit days', () =>
      this.ctx.doc.send(
        new QueryCommand({
          TableName: this.ctx.tables.audit,
          KeyConditionExpression:
            before === undefined ? '#bucket = :days' : '#bucket = :days AND #seq < :before',
          ExpressionAttributeNames: before === undefined ? names('bucket') : names('bucket', 'seq'),
          ExpressionAttributeValues:
            before === undefined ? { ':days': DAYS } : { ':days': DAYS, ':before': before },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
    );
    const seq = out.Items?.[0]?.seq;
    return typeof seq === 'string' ? seq : undefined;
  }

  private async listAll(limit: number, cursor: string | undefined): Promise<Page<AuditEvent>> {
    const resume = decodeCursor<GlobalCursor>(
      cursor,
      (value) =>
        typeof value.day === 'string' &&
        Object.keys(value).every((name) => name === 'day' || name === 'key') &&
        (value.key === undefined || hasStringAttributes(value.key, ['bucket', 'seq'])),
    );
    let day = resume?.day ?? (await this.previousDay(undefined));
    let startKey = resume?.key;
    const items: AuditEvent[] = [];
    while (day !== undefined && items.length < limit) {
      const bucket = `day#${day}`;
      const out = await storeCall('list audit events', () =>
        this.ctx.doc.send(
          new QueryCommand({
            TableName: this.ctx.tables.audit,
            KeyConditionExpression: '#bucket = :bucket',
            ExpressionAttributeNames: names('bucket'),
            ExpressionAttributeValues: { ':bucket': bucket },
            ScanIndexForward: false,
            Limit: limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(out.Items ?? []).map(toEvent));
      if (out.LastEvaluatedKey !== undefined) {
        startKey = out.LastEvaluatedKey;
        if (items.length >= limit)
          return { items, cursor: encodeCursor({ day, key: startKey } satisfies GlobalCursor) };
      } else {
        day = await this.previousDay(day);
        startKey = undefined;
        if (items.length >= limit && day !== undefined) {
          return { items, cursor: encodeCursor({ day } satisfies GlobalCursor) };
        }
      }
    }
    return { items, cursor: undefined };
  }
}
