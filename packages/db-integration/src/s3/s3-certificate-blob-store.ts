/**
 * CertificateBlobStore on S3: `certificates/<userUuid>/<deviceId>/<serial>.pem` (the PEM,
 * `application/x-pem-file`) plus `.json` beside it (the legacy JSON form, when given), both
 * with server-side encryption requested (`AES256`). Listing by user is ListObjectsV2 on the
 * user's prefix. The returned key is the `.pem` key.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CityError } from '@city/errors';
import { type CertificateBlob, type CertificateBlobStore, StoreUnavailableError } from '@city/ports';
import { storeCall } from '../lib/store-call.js';

const PREFIX = 'certificates/';
// Path segments become S3 key parts: forbid separators and dot segments.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

function segment(name: string, value: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value) || value.includes('..')) {
    throw new CityError('INVALID_ARGUMENT', `"${name}" must be 1-128 characters of [A-Za-z0-9._-]`);
  }
  return value;
}

const isMissing = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/**
 * Certificate bodies in an S3 bucket (one client, injected).
 *
 * @example
 * ```ts
 * const blobs = new S3CertificateBlobStore(s3Client, 'city-certificates');
 * const key = await blobs.put({ userUuid, deviceId, serialNumber, pem });
 * ```
 */
export class S3CertificateBlobStore implements CertificateBlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Stores the PEM (and JSON) and returns the PEM key.
   * @throws {CityError} `INVALID_ARGUMENT` for ids that are not safe key segments; {@link StoreUnavailableError} when S3 fails.
   */
  async put(blob: CertificateBlob): Promise<string> {
    const base = `${PREFIX}${segment('userUuid', blob.userUuid)}/${segment('deviceId', blob.deviceId)}/${segment('serialNumber', blob.serialNumber)}`;
    if (blob.json !== undefined) {
      await storeCall('store certificate json', () =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: `${base}.json`,
            Body: JSON.stringify(blob.json),
            ContentType: 'application/json',
            ServerSideEncryption: 'AES256',
          }),
        ),
      );
    }
    // The PEM is written last: a blob is listed (by its .pem key) only once complete.
    await storeCall('store certificate', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${base}.pem`,
          Body: blob.pem,
          ContentType: 'application/x-pem-file',
          ServerSideEncryption: 'AES256',
        }),
      ),
    );
    return `${base}.pem`;
  }

  private async read(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new StoreUnavailableError('the certificate store is unavailable', { cause: error });
    }
  }

  /** @throws {StoreUnavailableError} when S3 fails. */
  async get(key: string): Promise<CertificateBlob | undefined> {
    const match = /^certificates\/([^/]+)\/([^/]+)\/([^/]+)\.pem$/.exec(key);
    if (match === null) return undefined;
    const pem = await this.read(key);
    if (pem === undefined) return undefined;
    const jsonText = await this.read(`${key.slice(0, -4)}.json`);
    const blob: { -readonly [K in keyof CertificateBlob]: CertificateBlob[K] } = {
      userUuid: match[1] as string,
      deviceId: match[2] as string,
      serialNumber: match[3] as string,
      pem,
    };
    if (jsonText !== undefined) blob.json = JSON.parse(jsonText) as Record<string, unknown>;
    return blob;
  }

  /** @throws {StoreUnavailableError} when S3 fails. */
  async listByUser(userUuid: string): Promise<readonly string[]> {
    const prefix = `${PREFIX}${segment('userUuid', userUuid)}/`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await storeCall('list certificates', () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of out.Contents ?? []) {
        if (object.Key?.endsWith('.pem')) keys.push(object.Key);
      }
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  /** Deletes the PEM and JSON (missing objects are fine). @throws {StoreUnavailableError} when S3 fails. */
  async delete(key: string): Promise<void> {
    if (!/^certificates\/[^/]+\/[^/]+\/[^/]+\.pem$/.test(key)) return;
    const base = key.slice(0, -4);
    await storeCall('delete certificate', () =>
      this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: [{ Key: `${base}.pem` }, { Key: `${base}.json` }], Quiet: true },
        }),
      ),
    );
  }
}
