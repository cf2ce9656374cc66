/** Creates the certificate bucket if it does not exist (idempotent). */
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { storeCall } from '../lib/store-call.js';

/**
 * Ensures `bucket` exists.
 *
 * @throws {StoreUnavailableError} when S3 cannot be reached or refuses.
 * @example
 * ```ts
 * await ensureS3Bucket(s3Client, 'city-certificates');
 * ```
 */
export async function ensureS3Bucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch {
    // fall through: create it (HeadBucket reports a missing bucket as a bare 404)
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
    await storeCall(`create bucket ${bucket}`, () => Promise.reject(error));
  }
}
