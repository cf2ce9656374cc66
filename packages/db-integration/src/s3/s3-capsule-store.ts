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
 *
 * With {@link CapsuleCreationLeases} the election carries a lease: the elected writer stores its
 * capsule only while at least `putDeadlineMs` (the longest its put may take; the store deadline
 * cancels it after that) plus `clockSkewMs` of its lease is left, and a waiting writer that finds
 * no capsule once the lease has run out by more than `clockSkewMs` takes the claim over by a
 * conditional write and stores its own. So a creator that died after its claim holds up the others
 * for one lease, not until an operator deletes the claim; and a creator still alive can no longer
 * store its capsule once another may take over, so no two instances ever store different
 * capsules (provided the instances' clocks differ by less than `clockSkewMs`; on S3 engines that
 * honour `If-None-Match`, the conditional put refuses a late writer whatever the clocks say).
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

/** A capsule creator's claim: the SHA-256 of its capsule and when its lease runs out (epoch ms). */
export interface CapsuleCreationClaim {
  readonly value: string;
  readonly leaseUntil: number;
}

/** Elects each capsule's creator with a lease (conditional writes: of racing writers exactly one holds it). */
export interface CapsuleCreationLeases {
  /** Claims `name` for `value` for `leaseMs` unless it is claimed already; the claim that holds after the call. */
  claim(name: string, value: string, leaseMs: number): Promise<CapsuleCreationClaim>;
  /** Replaces `expired`, when it is still the stored claim, by `value`; the claim that holds after the call. */
  takeOver(
    name: string,
    expired: CapsuleCreationClaim,
    value: string,
    leaseMs: number,
  ): Promise<CapsuleCreationClaim>;
  /** The stored claim (strongly consistent), or undefined when there is none. */
  holder(name: string, leaseMs: number): Promise<CapsuleCreationClaim | undefined>;
}

/** Options of {@link S3CapsuleStore}. */
export interface S3CapsuleStoreOptions {
  /** Object key prefix (default `keyvault/`). */
  readonly prefix?: string | undefined;
  /**
   * Elects the one creator of each capsule: leases (a dead creator is replaced once its lease ran
   * out), or a plain fact store (the first claim holds for good); without it only `If-None-Match` decides.
   */
  readonly creationClaims?: CapsuleCreationLeases | Pick<DeploymentStore, 'claim'> | undefined;
  /** How long a creator's lease lasts (default 15 s); leases only. */
  readonly leaseMs?: number | undefined;
  /** The longest a capsule put may take, the S3 client's store deadline (default 5 s); leases only. */
  readonly putDeadlineMs?: number | undefined;
  /** The most the instances' clocks may differ (default 2 s); leases only. */
  readonly clockSkewMs?: number | undefined;
  /** How long a writer that lost the election waits for the winner's object (default 30 s, plus one lease with leases). */
  readonly winnerWaitMs?: number | undefined;
  /** Wall-clock epoch milliseconds, as the lease store's clock (default `Date.now`). */
  readonly now?: (() => number) | undefined;
}

function isLeases(
  claims: CapsuleCreationLeases | Pick<DeploymentStore, 'claim'>,
): claims is CapsuleCreationLeases {
  return typeof (claims as Partial<CapsuleCreationLeases>).takeOver === 'function';
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
  private readonly creationClaims: CapsuleCreationLeases | Pick<DeploymentStore, 'claim'> | undefined;
  private readonly leaseMs: number;
  private readonly putDeadlineMs: number;
  private readonly clockSkewMs: number;
  private readonly winnerWaitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3CapsuleStoreOptions | string = {},
  ) {
    const resolved = typeof options === 'string' ? { prefix: options } : options;
    this.prefix = resolved.prefix ?? 'keyvault/';
    this.creationClaims = resolved.creationClaims;
    this.leaseMs = resolved.leaseMs ?? 15_000;
    this.putDeadlineMs = resolved.putDeadlineMs ?? 5_000;
    this.clockSkewMs = resolved.clockSkewMs ?? 2_000;
    if (this.leaseMs <= this.putDeadlineMs + this.clockSkewMs) {
      throw new RangeError(
        `"leaseMs" expected more than putDeadlineMs + clockSkewMs (${this.putDeadlineMs + this.clockSkewMs}), got ${this.leaseMs}`,
      );
    }
    this.winnerWaitMs =
      resolved.winnerWaitMs ??
      (resolved.creationClaims !== undefined && isLeases(resolved.creationClaims)
        ? 30_000 + this.leaseMs
        : 30_000);
    this.now = resolved.now ?? Date.now;
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
    objectName(name);
    const digest = createHash('sha256').update(capsule).digest('hex');
    const fact = `capsule-${name.replaceAll('_', '-')}`;
    const claims = this.creationClaims;
    if (claims !== undefined && isLeases(claims))
      return this.writeUnderLease(claims, fact, name, capsule, digest);
    if (claims !== undefined) {
      const elected = await claims.claim(fact, digest);
      if (elected !== digest) {
        await this.awaitWinner(name, elected);
        return false;
      }
    }
    return this.putIfAbsent(name, capsule);
  }

  /** The election with a lease: claim, or wait for the holder and take over once its lease ran out. */
  private async writeUnderLease(
    leases: CapsuleCreationLeases,
    fact: string,
    name: string,
    capsule: Uint8Array,
    digest: string,
  ): Promise<boolean> {
    const giveUpAt = this.now() + this.winnerWaitMs;
    let holder = await leases.claim(fact, digest, this.leaseMs);
    for (;;) {
      if (holder.value === digest) {
        // The put must end (or be cancelled by its deadline) before anyone may take over.
        if (holder.leaseUntil - this.now() < this.putDeadlineMs + this.clockSkewMs) {
          throw new StoreUnavailableError(
            `the claim to create the capsule ${name} ran out before it could be stored; start again`,
          );
        }
        return this.putIfAbsent(name, capsule);
      }
      const stored = await this.read(name);
      if (stored !== undefined) {
        const storedDigest = createHash('sha256').update(stored).digest('hex');
        if (storedDigest === holder.value) return false;
        // Stored under a later claim than the one this writer saw: read the claim again.
        const latest = await leases.holder(fact, this.leaseMs);
        if (latest !== undefined && latest.value !== holder.value) {
          holder = latest;
          continue;
        }
      } else if (this.now() > holder.leaseUntil + this.clockSkewMs) {
        // No capsule and the holder's lease has run out: it is gone; replace its claim.
        holder = await leases.takeOver(fact, holder, digest, this.leaseMs);
        continue;
      }
      if (this.now() >= giveUpAt) {
        throw new StoreUnavailableError(
          `the capsule ${name} was claimed by another instance (deployment fact ${fact}) but not stored in ` +
            `${this.describe()} within ${this.winnerWaitMs} ms; retry the start`,
        );
      }
      await sleep(50);
    }
  }

  /** The put with `If-None-Match: *`: true when this call stored the capsule. */
  private async putIfAbsent(name: string, capsule: Uint8Array): Promise<boolean> {
    const key = `${this.prefix}${objectName(name)}`;
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
