import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'LIBMONGOCRYPT_INSTALL_HINT',
    'LocalServiceError',
    'MONGO_INSTALL_HINT',
    'libmongocryptPython',
    'runLibmongocryptPeer',
    'startDynalite',
    'startDynamoDbLocal',
    'startMongoServer',
    'startMotoServer',
    'startS3rver',
  ]);
});
