/**
 * CertificateRevocationStore on SQLite: table `revoked_certificates` (serial_number PRIMARY
 * KEY, index on (revoked_at, serial_number) for the CRL order, `not_after` — the revoked
 * certificate's own end of validity, when the entry names it — indexed for reclamation). Adding a
 * serial twice keeps the first entry. An entry is removed only once its certificate has expired
 * more than the grace margin ago (`_reclaimer.ts`, RFC 5280 §3.3); an entry without `notAfter`
 * is kept for good.
 */
import type { CertificateRevocationStore, RevokedCertificateRecord } from '@city/ports';
import { optionalNumber, optionalString, requireNumber, requireObject, requireString } from './_guards.js';
import type { SqliteReclaimer } from './_reclaimer.js';
import type { SqliteContext } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** CertificateRevocationStore backed by SQLite. */
export class SqliteCertificateRevocationStore implements CertificateRevocationStore {
  readonly #ctx: SqliteContext;
  readonly #reclaimer: SqliteReclaimer;
  readonly #insert;
  readonly #exists;
  readonly #all;

  constructor(ctx: SqliteContext, reclaimer: SqliteReclaimer) {
    this.#ctx = ctx;
    this.#reclaimer = reclaimer;
    this.#insert = ctx.prepare(
      'INSERT INTO revoked_certificates (serial_number, revoked_at, not_after, record) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (serial_number) DO NOTHING',
    );
    this.#exists = ctx.prepare('SELECT 1 FROM revoked_certificates WHERE serial_number = ?');
    this.#all = ctx.prepare('SELECT record FROM revoked_certificates ORDER BY revoked_at, serial_number');
  }

  async add(entry: RevokedCertificateRecord): Promise<void> {
    requireObject('entry', entry);
    const reason = optionalString('entry.reason', entry.reason, KEY_MAX);
    const notAfter = optionalNumber('entry.notAfter', entry.notAfter);
    const record: RevokedCertificateRecord = {
      serialNumber: requireString('entry.serialNumber', entry.serialNumber, KEY_MAX),
      userUuid: requireString('entry.userUuid', entry.userUuid, KEY_MAX),
      deviceId: requireString('entry.deviceId', entry.deviceId, KEY_MAX),
      revokedAt: requireNumber('entry.revokedAt', entry.revokedAt),
      ...(reason === undefined ? {} : { reason }),
      ...(notAfter === undefined ? {} : { notAfter }),
    };
    let changes: number | bigint;
    try {
      changes = this.#insert.run(
        record.serialNumber,
        record.revokedAt,
        notAfter ?? null,
        JSON.stringify(record),
      ).changes;
    } catch (error) {
      throw this.#ctx.fail(error, 'certificateRevocations.add');
    }
    if (Number(changes) !== 0) {
      this.#ctx.authStateChanged();
      this.#reclaimer.wrote();
    }
  }

  async isRevoked(serialNumber: string): Promise<boolean> {
    const serial = requireString('serialNumber', serialNumber, KEY_MAX);
    try {
      return this.#exists.get(serial) !== undefined;
    } catch (error) {
      throw this.#ctx.fail(error, 'certificateRevocations.isRevoked');
    }
  }

  async list(): Promise<readonly RevokedCertificateRecord[]> {
    return this.#ctx.readRecords<RevokedCertificateRecord>(this.#all, 'certificateRevocations.list');
  }
}
