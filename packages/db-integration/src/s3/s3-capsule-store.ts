/**
 * The keyvault's CapsuleStore on S3: each capsule is one object `<prefix><name>.capsule`
 * (binary, SSE AES256). The interface is declared structurally here so this package does not
 * need @city/ntru-keyvault at build time; it matches `CapsuleStore` of that package.
 *
 * `writeIfAbsent` lets instances sharing the bucket create the key vault at once: of several
 * writers of one capsule exactly one stores it. The put carries `If-None-Match: *` (S3 refuses it
 * with 412 when the object exists), and, since some S3 engines ignore that header, the writer is
 * first elected by a conditional write in the deployment's fact store (`capsule-<name>` holding
 * the SHA-256 of the capsule; DynamoDB in aws mode). A writer that loses the election waits until
 * the winner's object is readable, so what it then reads is the capsule that won.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CityError } from '@city/errors';
import { type DeploymentStore, StoreUnavailableError } from '@city/ports';
import { storeCall } from '../lib/store-call.js';

/** Where the keyvault keeps its wrapped master key (same shape as @city/ntru-keyvault's CapsuleStore). */
export interface CapsuleStoreLike {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, capsule: Uint8Array): Promise<void>;
  writeIfAbsent?(name: string, capsule: Uint8Array): Promise<boolean>;
  describe(): string;
}

/** Options of {@link S3CapsuleStore}. */
export interface S3CapsuleStoreOptions {
  /** Object key prefix (default `keyvault/`). */
  readonly prefix?: string | undefined;
  /** Elects the one creator of each capsule (the deployment's fact store); without it only `If-None-Match` decides. */
  readonly creationClaims?: Pick<DeploymentStore, 'claim'> | undefined;
  /** How long a writer that lost the election waits for the winner's object (default 30 s). */
  readonly winnerWaitMs?: number | undefined;
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
  private readonly prefix: string;
  private readonly creationClaims: Pick<DeploymentStore, 'claim'> | undefined;
  private readonly winnerWaitMs: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3CapsuleStoreOptions | string = {},
  ) {
    const resolved = typeof options === 'string' ? { prefix: options } : options;
    this.prefix = resolved.prefix ?? 'keyvault/';
    this.creationClaims = resolved.creationClaims;
    this.winnerWaitMs = resolved.winnerWaitMs ?? 30_000;
  }

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

  /**
   * Stores `capsule` only when no capsule is stored under `name`: true when this call stored it.
   *
   * @throws {StoreUnavailableError} when S3 or the claim store fails, or the elected writer's object never appears
   */
  async writeIfAbsent(name: string, capsule: Uint8Array): Promise<boolean> {
    const key = `${this.prefix}${objectName(name)}`;
    const digest = createHash('sha256').update(capsule).digest('hex');
    if (this.creationClaims !== undefined) {
      const elected = await this.creationClaims.claim(`capsule-${name.replaceAll('_', '-')}`, digest);
      if (elected !== digest) {
        await this.awaitWinner(name, elected);
        return false;
      }
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: capsule,
          ContentType: 'application/octet-stream',
          ServerSideEncryption: 'AES256',
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: the object exists; 409: a concurrent conditional put of the same key is in progress.
      if (status === 412 || status === 409) return false;
      if (error instanceof CityError) throw error;
      throw new StoreUnavailableError('the capsule store is unavailable (write capsule)', { cause: error });
    }
  }

  /** Waits until the capsule elected under `name` (SHA-256 `digest`) is readable. */
  private async awaitWinner(name: string, digest: string): Promise<void> {
    const deadline = Date.now() + this.winnerWaitMs;
    for (;;) {
      const stored = await this.read(name);
      if (stored !== undefined && createHash('sha256').update(stored).digest('hex') === digest) return;
      if (Date.now() >= deadline) {
        throw new StoreUnavailableError(
          `the capsule ${name} was claimed by another instance (deployment fact capsule-${name}) but never stored in ` +
            `${this.describe()}: if no instance is starting, an interrupted first start left the claim; delete that ` +
            'deployment fact (it holds no key, only a checksum), never a capsule, and start again',
        );
      }
      await sleep(50);
    }
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }
}
