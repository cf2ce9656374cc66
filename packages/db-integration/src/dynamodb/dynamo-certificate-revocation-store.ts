/**
 * CertificateRevocationStore on DynamoDB: every revoked serial in ONE partition (`crl`),
 * sorted by serial, so the CRL is a paginated Query of that partition and a check is a GetItem.
 * A CRL stays small (revoked, unexpired certificates), well within one partition's limits.
 *
 * Growth: entries carry no TTL and are kept for good (one per revoked or superseded
 * certificate); the `notAfter` of an entry is not stored here, so nothing can tell when RFC 5280
 * §3.3 would allow dropping it. The SQLite store removes entries of long-expired certificates.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CertificateRevocationStore, RevokedCertificateRecord } from '@city/ports';
import { isConditionFailed, storeCall } from '../lib/store-call.js';
import { type DynamoContext, names, pick } from './_context.js';

const PARTITION = 'crl';
const FIELDS: readonly (keyof RevokedCertificateRecord & string)[] = [
  'serialNumber',
  'userUuid',
  'deviceId',
  'revokedAt',
  'reason',
];

export class DynamoCertificateRevocationStore implements CertificateRevocationStore {
  constructor(private readonly ctx: DynamoContext) {}

  async add(entry: RevokedCertificateRecord): Promise<void> {
    try {
      // The first revocation of a serial is the one the CRL reports.
      await storeCall('revoke certificate', () =>
        this.ctx.doc.send(
          new PutCommand({
            TableName: this.ctx.tables.revokedCertificates,
            Item: { ...entry, partition: PARTITION },
            ConditionExpression: 'attribute_not_exists(#serialNumber)',
            ExpressionAttributeNames: names('serialNumber'),
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async isRevoked(serialNumber: string): Promise<boolean> {
    const out = await storeCall('read revoked certificate', () =>
      this.ctx.doc.send(
        new GetCommand({
          TableName: this.ctx.tables.revokedCertificates,
          Key: { partition: PARTITION, serialNumber },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item !== undefined;
  }

  async list(): Promise<readonly RevokedCertificateRecord[]> {
    const entries: RevokedCertificateRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await storeCall('list revoked certificates', () =>
        this.ctx.doc.send(
          new QueryCommand({
            TableName: this.ctx.tables.revokedCertificates,
            KeyConditionExpression: '#partition = :partition',
            ExpressionAttributeNames: names('partition'),
            ExpressionAttributeValues: { ':partition': PARTITION },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      entries.push(...(out.Items ?? []).map((item) => pick<RevokedCertificateRecord>(item, FIELDS)));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }
}
