/** Something that delivers a notification or throws (SNS); the outbox wraps it so publish never throws. */
import type { Notification } from '@city/ports';

/** A delivery channel that may fail; failures are queued by {@link OutboxNotifier}. */
export interface NotificationTransport {
  /** Delivers or throws. */
  deliver(notification: Notification): Promise<void>;
  /** Human description for logs (`sns:arn:...`). */
  describe(): string;
}
