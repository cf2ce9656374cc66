/** Creates the notification topic if needed (SNS CreateTopic is idempotent by name). */
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { storeCall } from '../lib/store-call.js';

/**
 * Ensures a topic named `name` (or the last segment of an ARN) exists and returns its ARN.
 *
 * @throws {StoreUnavailableError} when SNS cannot be reached or refuses.
 * @example
 * ```ts
 * const arn = await ensureSnsTopic(snsClient, 'city-notifications');
 * ```
 */
export async function ensureSnsTopic(client: SNSClient, nameOrArn: string): Promise<string> {
  const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':').at(-1) ?? nameOrArn) : nameOrArn;
  const out = await storeCall(`create topic ${name}`, () =>
    client.send(new CreateTopicCommand({ Name: name })),
  );
  if (out.TopicArn === undefined) throw new Error('SNS CreateTopic returned no TopicArn');
  return out.TopicArn;
}
