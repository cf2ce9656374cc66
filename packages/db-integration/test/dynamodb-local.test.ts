import { startDynamoDbLocal } from '@city/dev-engines';
import { describe } from 'vitest';
import { defineStoreContract } from './contract/store-contract.js';
import { javaAvailable, skipUnless } from './helpers/availability.js';
import { dynamoFixture } from './helpers/dynamo-fixture.js';

describe.skipIf(skipUnless(javaAvailable))(
  'DynamoDB Local (needs Java 17+: apt-get install openjdk-17-jre-headless)',
  () => {
    defineStoreContract('DynamoDB adapter on DynamoDB Local', async () =>
      dynamoFixture(await startDynamoDbLocal()),
    );
  },
);
