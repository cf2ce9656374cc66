// MongoDB (the official driver).
export {
  createMongoStores,
  type MongoStores,
  type MongoStoresConfig,
} from './mongodb/create-mongo-stores.js';
export { MongoCapsuleStore, type MongoCapsuleStoreOptions } from './mongodb/mongo-capsule-store.js';
export { MongoInputError } from './mongodb/mongo-input-error.js';
