/**
 * Delivers notifications to an SNS topic: the message body is the notification as JSON, and
 * message attributes `type` and `userUuid` let subscribers filter without parsing the body.
 * Delivery failures throw; wrap it in {@link OutboxNotifier} to get a Notifier that queues.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '@city/ports';
import { storeCall } from '../lib/store-call.js';
import type { NotificationTransport } from './notification-transport.js';

/**
 * SNS delivery of notifications (one injected client).
 *
 * @example
 * ```ts
 * const notifier = new OutboxNotifier({ dir: '.city/outbox', transport: new SnsNotifier(snsClient, topicArn) });
 * ```
 */
export class SnsNotifier implements NotificationTransport {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  /** Publishes to the topic. @throws {StoreUnavailableError} when SNS fails after retries. */
  async deliver(notification: Notification): Promise<void> {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      type: { DataType: 'String', StringValue: notification.type },
    };
    if (notification.userUuid !== undefined) {
      attributes.userUuid = { DataType: 'String', StringValue: notification.userUuid };
    }
    await storeCall('publish notification', () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Message: JSON.stringify(notification),
          MessageAttributes: attributes,
        }),
      ),
    );
  }

  describe(): string {
    return `sns:${this.topicArn}`;
  }
}
