/**
 * CertificateRevocationStore on SQLite: table `revoked_certificates` (serial_number PRIMARY
 * KEY, index on (revoked_at, serial_number) for the CRL order). Adding a serial twice keeps the
 * first entry.
 */
import type { CertificateRevocationStore, RevokedCertificateRecord } from '@city/ports';
import { optionalString, requireNumber, requireObject, requireString } from './_guards.js';
import type { SqliteContext } from './_sqlite-context.js';

const KEY_MAX = 1024;

/** CertificateRevocationStore backed by SQLite. */
export class SqliteCertificateRevocationStore implements CertificateRevocationStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #exists;
  readonly #all;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare(
      'INSERT INTO revoked_certificates (serial_number, revoked_at, record) VALUES (?, ?, ?) ' +
        'ON CONFLICT (serial_number) DO NOTHING',
    );
    this.#exists = ctx.prepare('SELECT 1 FROM revoked_certificates WHERE serial_number = ?');
    this.#all = ctx.prepare('SELECT record FROM revoked_certificates ORDER BY revoked_at, serial_number');
  }

  async add(entry: RevokedCertificateRecord): Promise<void> {
    requireObject('entry', entry);
    const reason = optionalString('entry.reason', entry.reason, KEY_MAX);
    const record: RevokedCertificateRecord = {
      serialNumber: requireString('entry.serialNumber', entry.serialNumber, KEY_MAX),
      userUuid: requireString('entry.userUuid', entry.userUuid, KEY_MAX),
      deviceId: requireString('entry.deviceId', entry.deviceId, KEY_MAX),
      revokedAt: requireNumber('entry.revokedAt', entry.revokedAt),
      ...(reason === undefined ? {} : { reason }),
    };
    let changes: number | bigint;
    try {
      changes = this.#insert.run(record.serialNumber, record.revokedAt, JSON.stringify(record)).changes;
    } catch (error) {
      throw this.#ctx.fail(error, 'certificateRevocations.add');
    }
    if (Number(changes) !== 0) this.#ctx.authStateChanged();
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
