export {
  LIBMONGOCRYPT_INSTALL_HINT,
  type LibmongocryptPeerAnswer,
  type LibmongocryptPeerRequest,
  libmongocryptPython,
  runLibmongocryptPeer,
} from './libmongocrypt-peer.js';
export type { LocalService } from './local-service.js';
export { LocalServiceError } from './local-service-error.js';
export {
  MONGO_INSTALL_HINT,
  type MongoServer,
  type StartMongoServerOptions,
  startMongoServer,
} from './mongo-server.js';
export { type StartDynaliteOptions, startDynalite } from './start-dynalite.js';
export { type StartDynamoDbLocalOptions, startDynamoDbLocal } from './start-dynamodb-local.js';
export { type StartMotoServerOptions, startMotoServer } from './start-moto-server.js';
export { type StartS3rverOptions, startS3rver } from './start-s3rver.js';
