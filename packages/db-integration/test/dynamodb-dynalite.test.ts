import { startDynalite } from '@city/dev-engines';
import { defineStoreContract } from './contract/store-contract.js';
import { dynamoFixture } from './helpers/dynamo-fixture.js';

defineStoreContract('DynamoDB adapter on dynalite', async () => dynamoFixture(await startDynalite()));
