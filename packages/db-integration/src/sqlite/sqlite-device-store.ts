/**
 * DeviceStore on SQLite: table `devices`, PRIMARY KEY (user_uuid, device_id), fingerprint
 * UNIQUE. Revocation and renewal read, check and write inside `BEGIN IMMEDIATE`; a renewal moves
 * the fingerprint by updating the column, so the UNIQUE constraint both refuses a certificate
 * registered elsewhere and frees the old fingerprint in the same commit.
 *
 * A revoked device keeps its row (and so its fingerprint) while it is among the user's
 * {@link REVOKED_DEVICES_KEPT_PER_USER} most recently revoked devices; the revocation that pushes
 * one past that number deletes the older revoked rows and their certificate bodies
 * (`certificate_blobs` under `certificates/<user>/<device>/`) in the same transaction, so a user
 * who pairs and revokes devices forever occupies a bounded number of rows. A deleted revoked
 * device's certificate stays refused everywhere: its serial is on the CRL until the certificate
 * itself has expired (the revocation use case adds it), and every path that accepts a certificate
 * or fingerprint also needs the device row — mTLS and fingerprint login look the device up by
 * fingerprint, signature login, refresh, renewal and access tokens by (user, device id), and a
 * pairing token needs its parent device — so a missing row is refused the way a revoked one is.
 * Fingerprints are of server-issued certificates with fresh serials, so a freed fingerprint is
 * never issued again.
 */
import {
  ConflictError,
  type DeviceCertificateUpdate,
  type DeviceRecord,
  type DeviceStore,
  NotFoundError,
} from '@city/ports';
import {
  optionalNumber,
  optionalString,
  requireNumber,
  requireObject,
  requireOneOf,
  requireString,
} from './_guards.js';
import { parseRecord, type SqliteContext, type UniqueFields } from './_sqlite-context.js';

const KEY_MAX = 1024;
const PEM_MAX = 256 * 1024;

/**
 * How many revoked devices a user keeps (the most recently revoked); older revoked devices and
 * their certificate bodies are deleted by the revocation that pushes one past this number.
 */
export const REVOKED_DEVICES_KEPT_PER_USER = 20;

const UNIQUE: UniqueFields = {
  'devices.fingerprint': 'fingerprint',
  'devices.user_uuid, devices.device_id': 'deviceId',
};

/** DeviceStore backed by SQLite. */
export class SqliteDeviceStore implements DeviceStore {
  readonly #ctx: SqliteContext;
  readonly #insert;
  readonly #byKey;
  readonly #byFingerprint;
  readonly #byUser;
  readonly #write;
  readonly #revokedBeyondCap;
  readonly #delete;
  readonly #deleteBodies;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
    this.#insert = ctx.prepare(
      'INSERT INTO devices (user_uuid, device_id, fingerprint, record) VALUES (?, ?, ?, ?)',
    );
    this.#byKey = ctx.prepare('SELECT record FROM devices WHERE user_uuid = ? AND device_id = ?');
    this.#byFingerprint = ctx.prepare('SELECT record FROM devices WHERE fingerprint = ?');
    this.#byUser = ctx.prepare('SELECT record FROM devices WHERE user_uuid = ? ORDER BY device_id');
    this.#write = ctx.prepare(
      'UPDATE devices SET fingerprint = ?, record = ? WHERE user_uuid = ? AND device_id = ?',
    );
    this.#revokedBeyondCap = ctx.prepare(
      'SELECT device_id FROM devices WHERE user_uuid = ? ' +
        "AND json_extract(record, '$.status') = 'revoked' " +
        "ORDER BY json_extract(record, '$.revokedAt') DESC, rowid DESC " +
        `LIMIT -1 OFFSET ${REVOKED_DEVICES_KEPT_PER_USER}`,
    );
    this.#delete = ctx.prepare('DELETE FROM devices WHERE user_uuid = ? AND device_id = ?');
    // The key prefix of the device's bodies, as SqliteCertificateBlobStore builds it (URI-encoded parts).
    this.#deleteBodies = ctx.prepare(
      'DELETE FROM certificate_blobs WHERE user_uuid = ? AND substr(blob_key, 1, length(?2)) = ?2',
    );
  }

  async create(device: DeviceRecord): Promise<void> {
    const record = toRecord(device);
    try {
      this.#insert.run(record.userUuid, record.deviceId, record.fingerprint, JSON.stringify(record));
    } catch (error) {
      throw this.#ctx.fail(error, 'devices.create', UNIQUE);
    }
    this.#ctx.authStateChanged();
  }

  async get(userUuid: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    const id = requireString('deviceId', deviceId, KEY_MAX);
    return this.#ctx.readRecord<DeviceRecord>(this.#byKey, 'devices.get', user, id);
  }

  async getByFingerprint(fingerprint: string): Promise<DeviceRecord | undefined> {
    const key = requireString('fingerprint', fingerprint, KEY_MAX);
    return this.#ctx.readRecord<DeviceRecord>(this.#byFingerprint, 'devices.getByFingerprint', key);
  }

  async listByUser(userUuid: string): Promise<readonly DeviceRecord[]> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    return this.#ctx.readRecords<DeviceRecord>(this.#byUser, 'devices.listByUser', user);
  }

  async revoke(userUuid: string, deviceId: string, at: number): Promise<DeviceRecord> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    const id = requireString('deviceId', deviceId, KEY_MAX);
    const revokedAt = requireNumber('at', at);
    let revoked: DeviceRecord;
    try {
      revoked = this.#ctx.transaction(() => {
        const current = this.#readActive(user, id);
        const next: DeviceRecord = { ...current, status: 'revoked', revokedAt };
        this.#write.run(next.fingerprint, JSON.stringify(next), user, id);
        this.#deleteRevokedBeyondCap(user);
        return next;
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'devices.revoke');
    }
    this.#ctx.authStateChanged();
    return revoked;
  }

  async replaceCertificate(
    userUuid: string,
    deviceId: string,
    update: DeviceCertificateUpdate,
  ): Promise<DeviceRecord> {
    const user = requireString('userUuid', userUuid, KEY_MAX);
    const id = requireString('deviceId', deviceId, KEY_MAX);
    requireObject('update', update);
    const expectedSerialNumber = requireString(
      'update.expectedSerialNumber',
      update.expectedSerialNumber,
      KEY_MAX,
    );
    const changes = {
      fingerprint: requireString('update.fingerprint', update.fingerprint, KEY_MAX),
      serialNumber: requireString('update.serialNumber', update.serialNumber, KEY_MAX),
      certificatePem: requireString('update.certificatePem', update.certificatePem, PEM_MAX),
      certificateKey: requireString('update.certificateKey', update.certificateKey, KEY_MAX),
      notAfter: requireNumber('update.notAfter', update.notAfter),
    };
    let renewed: DeviceRecord;
    try {
      renewed = this.#ctx.transaction(() => {
        const current = this.#readActive(user, id);
        if (current.serialNumber !== expectedSerialNumber) {
          throw new ConflictError('serialNumber', 'the device certificate is no longer the expected one');
        }
        const next: DeviceRecord = { ...current, ...changes };
        this.#write.run(next.fingerprint, JSON.stringify(next), user, id);
        return next;
      });
    } catch (error) {
      throw this.#ctx.fail(error, 'devices.replaceCertificate', UNIQUE);
    }
    this.#ctx.authStateChanged();
    return renewed;
  }

  /** Deletes the user's revoked devices older than the newest {@link REVOKED_DEVICES_KEPT_PER_USER}, with their certificate bodies (inside a transaction). */
  #deleteRevokedBeyondCap(userUuid: string): void {
    for (const row of this.#revokedBeyondCap.all(userUuid)) {
      const deviceId = (row as unknown as readonly string[])[0] as string;
      this.#delete.run(userUuid, deviceId);
      const prefix = `certificates/${encodeURIComponent(userUuid)}/${encodeURIComponent(deviceId)}/`;
      this.#deleteBodies.run(userUuid, prefix);
    }
  }

  /** The device, if it exists and is active (inside a transaction); `NotFoundError` otherwise. */
  #readActive(userUuid: string, deviceId: string): DeviceRecord {
    const row = this.#byKey.get(userUuid, deviceId);
    const current = row === undefined ? undefined : parseRecord<DeviceRecord>(row);
    if (current === undefined || current.status !== 'active') {
      throw new NotFoundError('device not found or not active');
    }
    return current;
  }
}

/** A validated copy of `device` holding only the record's fields. */
function toRecord(device: DeviceRecord): DeviceRecord {
  requireObject('device', device);
  const label = optionalString('device.label', device.label, KEY_MAX);
  const revokedAt = optionalNumber('device.revokedAt', device.revokedAt);
  const pairedFromDeviceId = optionalString('device.pairedFromDeviceId', device.pairedFromDeviceId, KEY_MAX);
  return {
    deviceId: requireString('device.deviceId', device.deviceId, KEY_MAX),
    userUuid: requireString('device.userUuid', device.userUuid, KEY_MAX),
    fingerprint: requireString('device.fingerprint', device.fingerprint, KEY_MAX),
    serialNumber: requireString('device.serialNumber', device.serialNumber, KEY_MAX),
    certificatePem: requireString('device.certificatePem', device.certificatePem, PEM_MAX),
    algorithm: requireString('device.algorithm', device.algorithm, KEY_MAX),
    certificateKey: requireString('device.certificateKey', device.certificateKey, KEY_MAX),
    ...(label === undefined ? {} : { label }),
    status: requireOneOf('device.status', device.status, ['active', 'revoked'] as const),
    createdAt: requireNumber('device.createdAt', device.createdAt),
    notAfter: requireNumber('device.notAfter', device.notAfter),
    ...(revokedAt === undefined ? {} : { revokedAt }),
    ...(pairedFromDeviceId === undefined ? {} : { pairedFromDeviceId }),
  };
}
