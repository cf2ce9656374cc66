import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalService, startMotoServer } from '@city/dev-engines';
import type { Notification } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStorageConfigFromEnv } from '../src/config/storage-config.js';
import { ensureTopic } from '../src/create-dynamo-stores.js';
import { OutboxNotifier } from '../src/sns/outbox-notifier.js';
import { SnsNotifier } from '../src/sns/sns-notifier.js';
import { motoAvailable, skipUnless } from './helpers/availability.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

const notification = (overrides: Partial<Notification> = {}): Notification => ({
  id: randomUUID(),
  type: 'new_device',
  at: Date.now(),
  userUuid: randomUUID(),
  data: { deviceId: 'd-1', count: 2, paired: true },
  ...overrides,
});

describe.skipIf(skipUnless(motoAvailable))(
  'SNS notifications on moto (needs pip install "moto[server]")',
  () => {
    let moto: LocalService;
    let sns: SNSClient;
    let sqs: SQSClient;
    let topicArn: string;
    let queueUrl: string;
    const dirs: string[] = [];

    beforeAll(async () => {
      moto = await startMotoServer();
      const config = loadStorageConfigFromEnv({ CITY_SNS_ENDPOINT: moto.endpoint });
      topicArn = await ensureTopic(config, 'city-notifications');
      expect(await ensureTopic(config, 'city-notifications')).toBe(topicArn);
      sns = new SNSClient({ endpoint: moto.endpoint, region, credentials });
      sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `city-${randomUUID()}` })))
        .QueueUrl as string;
      const queueArn = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes?.QueueArn;
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    });

    afterAll(async () => {
      sns?.destroy();
      sqs?.destroy();
      await moto?.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    const receive = async (): Promise<{ body: Record<string, unknown> }[]> => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      return (out.Messages ?? []).map((m) => ({
        body: JSON.parse(m.Body ?? '{}') as Record<string, unknown>,
      }));
    };

    it('publishes the notification with type and userUuid attributes, read back from SQS', async () => {
      const sent = notification();
      await new SnsNotifier(sns, topicArn).deliver(sent);
      const [message] = await receive();
      // SNS wraps the message in an envelope carrying the message attributes.
      expect(JSON.parse(message?.body.Message as string)).toEqual(sent);
      expect(message?.body.TopicArn).toBe(topicArn);
      expect(message?.body.MessageAttributes).toEqual({
        type: { Type: 'String', Value: 'new_device' },
        userUuid: { Type: 'String', Value: sent.userUuid },
      });
    });

    it('queues in the outbox while SNS is unreachable and delivers on flush once it is back', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'city-outbox-'));
      dirs.push(dir);
      const deadSns = new SNSClient({ endpoint: 'http://127.0.0.1:9', region, credentials, maxAttempts: 1 });
      const down = new OutboxNotifier({ dir, transport: new SnsNotifier(deadSns, topicArn) });
      const queued = notification({ type: 'security_alert' });
      await expect(down.publish(queued)).resolves.toBeUndefined();
      const pending = await down.pending();
      expect(pending.map((e) => e.notification)).toEqual([queued]);
      expect(pending[0]?.attempts).toBe(1);
      expect(await down.flushOutbox()).toEqual({ delivered: 0, pending: 1 });
      deadSns.destroy();

      // the same outbox directory, now with a reachable SNS
      const up = new OutboxNotifier({ dir, transport: new SnsNotifier(sns, topicArn) });
      expect(await up.flushOutbox()).toEqual({ delivered: 1, pending: 0 });
      expect(await up.pending()).toEqual([]);
      const [message] = await receive();
      expect(JSON.parse(message?.body.Message as string)).toEqual(queued);
    });
  },
);

describe('OutboxNotifier without a topic', () => {
  it('appends every notification to outbox.jsonl and never throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-outbox-'));
    try {
      const outbox = new OutboxNotifier({ dir });
      const sent = [notification(), notification({ type: 'revocation', userUuid: undefined })];
      await Promise.all(sent.map((n) => outbox.publish(n)));
      expect(
        (await outbox.pending()).map((e) => e.notification).sort((a, b) => a.id.localeCompare(b.id)),
      ).toEqual([...sent].sort((a, b) => a.id.localeCompare(b.id)));
      // nothing to deliver through: flushing keeps them
      expect(await outbox.flushOutbox()).toEqual({ delivered: 0, pending: 2 });
      await outbox.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports, but does not throw, when the outbox itself cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-outbox-'));
    const errors: unknown[] = [];
    const outbox = new OutboxNotifier({ dir, onError: (e) => errors.push(e) });
    rmSync(dir, { recursive: true, force: true });
    await expect(outbox.publish(notification())).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
