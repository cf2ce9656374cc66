import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'LocalServiceError',
    'MONGO_INSTALL_HINT',
    'startDynalite',
    'startDynamoDbLocal',
    'startMongoServer',
    'startMotoServer',
    'startS3rver',
  ]);
});
