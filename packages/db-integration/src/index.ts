// Local services
export type { LocalService } from './local/local-service.js';
export { LocalServiceError } from './local/local-service-error.js';
export { type StartDynaliteOptions, startDynalite } from './local/start-dynalite.js';
export { type StartDynamoDbLocalOptions, startDynamoDbLocal } from './local/start-dynamodb-local.js';
export { type StartMotoServerOptions, startMotoServer } from './local/start-moto-server.js';
export { type StartS3rverOptions, startS3rver } from './local/start-s3rver.js';

// MongoDB
export {
  MONGO_INSTALL_HINT,
  type MongoServer,
  type StartMongoServerOptions,
  startMongoServer,
} from './local/mongo-server.js';
export { createMongoStores, type MongoStores, type MongoStoresConfig } from './mongodb/create-mongo-stores.js';
export { MongoCapsuleStore, type MongoCapsuleStoreOptions } from './mongodb/mongo-capsule-store.js';
export { MongoInputError } from './mongodb/mongo-input-error.js';
