// DynamoDB + S3 + SNS (AWS SDK v3).
export {
  createDynamoStores,
  createTables,
  type DynamoStores,
  ensureBucket,
  ensureTopic,
} from './create-dynamo-stores.js';
export type { CreateTablesReport } from './dynamodb/create-tables.js';
export {
  type CapsuleCreationClaim,
  type CapsuleCreationLeases,
  type CapsuleStoreLike,
  S3CapsuleStore,
  type S3CapsuleStoreOptions,
} from './s3/s3-capsule-store.js';
export { S3CertificateBlobStore } from './s3/s3-certificate-blob-store.js';
export { SnsNotifier } from './sns/sns-notifier.js';
