/**
 * The keyvault's CapsuleStore on S3: each capsule is one object `<prefix><name>.capsule`
 * (binary, SSE AES256). The interface is declared structurally here so this package does not
 * need @city/ntru-keyvault at build time; it matches `CapsuleStore` of that package.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CityError } from '@city/errors';
import { StoreUnavailableError } from '@city/ports';
import { storeCall } from '../lib/store-call.js';

/** Where the keyvault keeps its wrapped master key (same shape as @city/ntru-keyvault's CapsuleStore). */
export interface CapsuleStoreLike {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, capsule: Uint8Array): Promise<void>;
  describe(): string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function objectName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw new CityError('INVALID_ARGUMENT', '"name" must be 1-128 characters of [A-Za-z0-9._-]');
  }
  return `${name}.capsule`;
}

/**
 * Keyvault capsules in an S3 bucket.
 *
 * @example
 * ```ts
 * const store = new S3CapsuleStore(s3Client, 'city-keyvault', 'keyvault/');
 * await KeyVault.init({ store });
 * ```
 */
export class S3CapsuleStore implements CapsuleStoreLike {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'keyvault/',
  ) {}

  /** @throws {StoreUnavailableError} when S3 fails; `INVALID_ARGUMENT` for a bad name. */
  async read(name: string): Promise<Uint8Array | undefined> {
    const key = `${this.prefix}${objectName(name)}`;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound'))
        return undefined;
      throw new StoreUnavailableError('the capsule store is unavailable', { cause: error });
    }
  }

  /** @throws {StoreUnavailableError} when S3 fails; `INVALID_ARGUMENT` for a bad name. */
  async write(name: string, capsule: Uint8Array): Promise<void> {
    const key = `${this.prefix}${objectName(name)}`;
    await storeCall('write capsule', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: capsule,
          ContentType: 'application/octet-stream',
          ServerSideEncryption: 'AES256',
        }),
      ),
    );
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }
}
