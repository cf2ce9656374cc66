/**
 * DeviceStore on DynamoDB: devices by (`userUuid`, `deviceId`); fingerprint uniqueness and
 * lookup by a `fingerprint#<hex>` claim item whose owner is `<userUuid>:<deviceId>`.
 * A revoked device keeps its claim: a revoked certificate cannot be enrolled again.
 *
 * Growth: one device item and one claim item per device ever registered, revoked ones included —
 * there is no per-user cap of revoked devices here (the SQLite store has one): deleting a device
 * and its claim is two items without a transaction in this adapter, so a crash between them
 * would leave a claim naming no device. Devices carry no TTL; the table grows with the devices
 * users enrol, not with logins or refreshes.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  type DeviceCertificateUpdate,
  type DeviceRecord,
  type DeviceStore,
  NotFoundError,
} from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick } from './_context.js';
import { type PutNewOutcome, putNewItem } from './_put-new-item.js';
import { UniqueClaims } from './_unique-claims.js';

const DEVICE_FIELDS: readonly (keyof DeviceRecord & string)[] = [
  'deviceId',
  'userUuid',
  'fingerprint',
  'serialNumber',
  'certificatePem',
  'algorithm',
  'certificateKey',
  'label',
  'status',
  'createdAt',
  'notAfter',
  'revokedAt',
  'pairedFromDeviceId',
];

const toDevice = (item: Record<string, unknown>): DeviceRecord => pick<DeviceRecord>(item, DEVICE_FIELDS);
const ownerOf = (userUuid: string, deviceId: string): string => `${userUuid}:${deviceId}`;
const fingerprintClaim = (fingerprint: string): string => `fingerprint#${fingerprint}`;

export class DynamoDeviceStore implements DeviceStore {
  private readonly claims: UniqueClaims;

  constructor(private readonly ctx: DynamoContext) {
    this.claims = new UniqueClaims(ctx);
  }

  /** A fingerprint claim stands while its device exists and still carries that fingerprint. */
  private liveCheck(fingerprint: string): (owner: string) => Promise<boolean> {
    return async (owner) => {
      const split = owner.indexOf(':');
      if (split < 0) return false;
      const device = await this.get(owner.slice(0, split), owner.slice(split + 1));
      return device?.fingerprint === fingerprint;
    };
  }

  /*
   * Order: 1. claim the fingerprint, 2. Put the device (conditional on a new key), 3. re-check
   * the claim. A crash between 1 and 2 leaves an orphan claim that reads as absent and is
   * taken over after the grace period; a conflict at 2 releases the claim.
   */
  async create(device: DeviceRecord): Promise<void> {
    const owner = ownerOf(device.userUuid, device.deviceId);
    const claim = fingerprintClaim(device.fingerprint);
    if ((await this.claims.claim(claim, owner, this.liveCheck(device.fingerprint))) === 'taken') {
      throw new ConflictError('fingerprint');
    }
    let outcome: PutNewOutcome;
    try {
      outcome = await putNewItem(
        this.ctx,
        'create device',
        this.ctx.tables.devices,
        'userUuid',
        { userUuid: device.userUuid, deviceId: device.deviceId },
        { ...device },
      );
    } catch (error) {
      await this.claims.release(claim, owner);
      throw error;
    }
    if (outcome === 'taken') {
      await this.claims.release(claim, owner);
      throw new ConflictError('deviceId');
    }
  }

  async get(userUuid: string, deviceId: string): Promise<DeviceRecord | undefined> {
    const out = await storeCall('read device', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.devices,
          Key: { userUuid, deviceId },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : toDevice(out.Item);
  }

  async getByFingerprint(fingerprint: string): Promise<DeviceRecord | undefined> {
    const owner = await this.claims.owner(fingerprintClaim(fingerprint));
    if (owner === undefined) return undefined;
    const split = owner.indexOf(':');
    const device = await this.get(owner.slice(0, split), owner.slice(split + 1));
    // An orphan claim, or the old fingerprint of a renewal that crashed before releasing it.
    return device?.fingerprint === fingerprint ? device : undefined;
  }

  async listByUser(userUuid: string): Promise<readonly DeviceRecord[]> {
    const devices: DeviceRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await storeCall('list devices', () =>
        this.ctx.doc.send(
          new QueryCommand({
            TableName: this.ctx.tables.devices,
            KeyConditionExpression: '#userUuid = :userUuid',
            ExpressionAttributeNames: names('userUuid'),
            ExpressionAttributeValues: { ':userUuid': userUuid },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      devices.push(...(out.Items ?? []).map(toDevice));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return devices;
  }

  async revoke(userUuid: string, deviceId: string, at: number): Promise<DeviceRecord> {
    try {
      const out = await storeCall('revoke device', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.devices,
            Key: { userUuid, deviceId },
            UpdateExpression: 'SET #status = :revoked, #revokedAt = :at',
            ConditionExpression: 'attribute_exists(#userUuid) AND #status = :active',
            ExpressionAttributeNames: names('userUuid', 'status', 'revokedAt'),
            ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toDevice(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`no active device ${deviceId}`);
      throw error;
    }
  }

  /*
   * Renewal is a compare-and-set on the stored serial number. Order: 1. claim the new
   * fingerprint, 2. conditional Update of the device (still active, still on the expected serial
   * and its fingerprint), 3. release the old fingerprint's claim. A crash after 2 leaves the old
   * claim pointing at a device that no longer carries it: it reads as absent and is taken over
   * after the grace period. The read before 1 only learns the old fingerprint and answers a stale
   * serial early; the condition at 2 is what decides a race.
   */
  async replaceCertificate(
    userUuid: string,
    deviceId: string,
    update: DeviceCertificateUpdate,
  ): Promise<DeviceRecord> {
    const current = await this.get(userUuid, deviceId);
    if (current === undefined || current.status !== 'active')
      throw new NotFoundError(`no active device ${deviceId}`);
    if (current.serialNumber !== update.expectedSerialNumber) throw staleSerial();
    const owner = ownerOf(userUuid, deviceId);
    const claim = fingerprintClaim(update.fingerprint);
    if ((await this.claims.claim(claim, owner, this.liveCheck(update.fingerprint))) === 'taken') {
      throw new ConflictError('fingerprint');
    }
    let renewed: DeviceRecord;
    try {
      const out = await storeCall('renew device', () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tables.devices,
            Key: { userUuid, deviceId },
            UpdateExpression:
              'SET #fingerprint = :fingerprint, #serialNumber = :serialNumber, #certificatePem = :certificatePem, #certificateKey = :certificateKey, #notAfter = :notAfter',
            ConditionExpression:
              'attribute_exists(#userUuid) AND #status = :active AND #serialNumber = :expectedSerialNumber AND #fingerprint = :previous',
            ExpressionAttributeNames: names(
              'userUuid',
              'status',
              'fingerprint',
              'serialNumber',
              'certificatePem',
              'certificateKey',
              'notAfter',
            ),
            ExpressionAttributeValues: {
              ':fingerprint': update.fingerprint,
              ':serialNumber': update.serialNumber,
              ':certificatePem': update.certificatePem,
              ':certificateKey': update.certificateKey,
              ':notAfter': update.notAfter,
              ':active': 'active',
              ':expectedSerialNumber': update.expectedSerialNumber,
              ':previous': current.fingerprint,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      renewed = toDevice(out.Attributes ?? {});
    } catch (error) {
      if (update.fingerprint !== current.fingerprint) await this.claims.release(claim, owner);
      if (!isConditionFailed(error)) throw error;
      const now = await this.get(userUuid, deviceId);
      if (now === undefined || now.status !== 'active')
        throw new NotFoundError(`no active device ${deviceId}`);
      throw staleSerial();
    }
    if (update.fingerprint !== current.fingerprint) {
      await this.claims.release(fingerprintClaim(current.fingerprint), owner);
    }
    return renewed;
  }
}

const staleSerial = (): ConflictError =>
  new ConflictError('serialNumber', 'the device certificate is no longer the expected one');
