// Local services
export type { LocalService } from './local/local-service.js';
export { LocalServiceError } from './local/local-service-error.js';
export { type StartDynaliteOptions, startDynalite } from './local/start-dynalite.js';
export { type StartDynamoDbLocalOptions, startDynamoDbLocal } from './local/start-dynamodb-local.js';
export { type StartMotoServerOptions, startMotoServer } from './local/start-moto-server.js';
export { type StartS3rverOptions, startS3rver } from './local/start-s3rver.js';
