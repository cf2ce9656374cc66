/**
 * Storage faults: the storage engine (dynalite, a separate server) stops in the middle
 * of a run → the API answers 503 STORE_UNAVAILABLE with Retry-After (never 500, never a hang)
 * and leaves no partial user; the engine restarts on the same port and data directory → the
 * same API process recovers and everything written before is intact. The SNS endpoint (moto)
 * down → registrations still succeed, the notifications wait in the outbox and are delivered
 * once SNS is back (read back through an SQS subscription).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { loadStorageConfigFromEnv } from '@city/db-integration';
import { ensureTopic } from '@city/db-integration/dynamodb';
import { type LocalService, startMotoServer } from '@city/dev-engines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiInstance,
  type ControlledClock,
  controlledClock,
  type HttpAnswer,
  login,
  newUser,
  openSharedApi,
  type RegisteredUser,
  readOutbox,
  registerUser,
  type SharedStorage,
  sender,
  startSharedStorage,
} from '../support/reliability-harness.js';

const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const runs = (command: string, args: string[]): boolean => {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
};
const motoAvailable = runs('moto_server', ['--help']) || runs('python3', ['-c', 'import moto.server, flask']);

/** Polls `check` until it holds (waiting for a restarted engine, not for a clock). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function expectUnavailable(answer: HttpAnswer): void {
  expect(answer.status, answer.text).toBe(503);
  expect(answer.body.error.code).toBe('STORE_UNAVAILABLE');
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
}

describe('storage engine stopped mid-run and restarted', () => {
  let shared: SharedStorage;
  let api: ApiInstance;
  let clock: ControlledClock;

  beforeAll(async () => {
    shared = await startSharedStorage();
    clock = controlledClock();
    api = await openSharedApi(shared, {
      clock,
      // A dead engine must answer quickly: one short timeout, one retry.
      storageEnv: { CITY_DYNAMODB_REQUEST_TIMEOUT_MS: '1500', CITY_DYNAMODB_MAX_ATTEMPTS: '2' },
    });
  });

  afterAll(async () => {
    await api?.close();
    await shared?.close();
  });

  it('503 STORE_UNAVAILABLE with Retry-After while down, no partial users, full recovery after restart', async () => {
    const send = sender(api.app);
    const before: RegisteredUser[] = [];
    for (let i = 0; i < 4; i++) before.push(await registerUser(send));
    const session = await login(send, before[0]!);

    // Registrations in flight when the engine goes away.
    const bodies = Array.from({ length: 8 }, () => newUser());
    const inFlight = Promise.all(bodies.map((body) => send('POST', '/register', { body })));
    await new Promise((resolve) => setTimeout(resolve, 40));
    await shared.stopDynamo();
    const racing = await inFlight;
    for (const answer of racing) {
      expect([201, 503], answer.text).toContain(answer.status);
      if (answer.status === 503) expectUnavailable(answer);
    }

    // While down: every store-backed route is 503 with a code, quickly; liveness still answers.
    const started = Date.now();
    expectUnavailable(await send('POST', '/register', { body: newUser() }));
    expectUnavailable(await send('POST', '/login/challenge', { body: {} }));
    expectUnavailable(await send('GET', '/me', { token: session.accessToken }));
    expectUnavailable(
      await send('POST', '/token/refresh', {
        body: { refresh_token: session.refreshToken, challenge_id: 'c'.repeat(36), signature: 'AAAA' },
      }),
    );
    expectUnavailable(await send('GET', '/ready'));
    // A hang detector, not a performance goal: five calls against a dead engine, 2 × 1.5 s each at worst.
    expect(Date.now() - started).toBeLessThan(20_000);
    const health = await send('GET', '/health');
    expect(health.status).toBe(200);

    await shared.restartDynamo();
    await eventually(async () => (await send('GET', '/ready')).status === 200);

    // Everything written before the outage is intact.
    for (const user of before) {
      const tokens = await login(send, user);
      expect((await send('GET', '/me', { token: tokens.accessToken })).body.uuid).toBe(user.uuid);
    }
    expect((await send('GET', '/me', { token: session.accessToken })).status).toBe(200);
    // Registrations that got 201 are complete users.
    for (const answer of racing.filter((a) => a.status === 201)) {
      const tokens = await login(send, {
        uuid: answer.body.uuid,
        username: answer.body.username,
        deviceId: answer.body.deviceId,
        privateKeyPem: answer.body.privateKeyPem,
        fingerprint: answer.body.fingerprint,
      });
      expect(tokens.accessToken).toEqual(expect.any(String));
    }
    // Registrations that got 503 left nothing usable behind: once orphaned uniqueness claims are
    // past their grace period, the same username and email register afresh.
    clock.advance(120);
    const failed = racing
      .map((answer, i) => ({ answer, body: bodies[i]! }))
      .filter((r) => r.answer.status === 503);
    for (const { body } of failed) {
      const again = await send('POST', '/register', { body });
      expect(again.status, `re-registering ${String(body.username)}: ${again.text}`).toBe(201);
    }
    // New work goes through.
    const after = await registerUser(send);
    expect((await login(send, after)).accessToken).toEqual(expect.any(String));
  }, 120_000);
});

/**
 * A TCP relay in front of moto: "SNS down" closes the relay's port (connection refused) while
 * moto keeps its topic and subscription, so nothing delivered after the outage can be missed.
 */
interface Relay {
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

async function startRelay(target: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  return {
    port,
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    up: async () => {
      await listen(port);
    },
  };
}

describe.skipIf(!motoAvailable && !inCi)('SNS endpoint down (needs pip install "moto[server]")', () => {
  let shared: SharedStorage;
  let api: ApiInstance;
  let moto: LocalService;
  let relay: Relay;
  let sns: SNSClient;
  let sqs: SQSClient;
  let queueUrl: string;
  const outboxDir = () => join(shared.dir, 'sns-outbox');
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  beforeAll(async () => {
    shared = await startSharedStorage();
    moto = await startMotoServer();
    const topicArn = await ensureTopic(
      loadStorageConfigFromEnv({ CITY_SNS_ENDPOINT: moto.endpoint }),
      'city-notifications',
    );
    sns = new SNSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    sqs = new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `city-${randomUUID()}` })))
      .QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    relay = await startRelay(Number(new URL(moto.endpoint).port));
    await relay.down();
    api = await openSharedApi(shared, {
      storageEnv: {
        CITY_SNS_TOPIC_ARN: topicArn,
        CITY_SNS_ENDPOINT: `http://127.0.0.1:${relay.port}`,
        CITY_OUTBOX_DIR: join(shared.dir, 'sns-outbox'),
        CITY_OUTBOX_RETRY_MS: '300',
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await relay?.down();
    sns?.destroy();
    sqs?.destroy();
    await moto?.stop();
    await shared?.close();
  });

  it('registrations succeed while SNS is down; the outbox delivers them once it is back', async () => {
    const send = sender(api.app);
    const users: RegisteredUser[] = [];
    for (let i = 0; i < 3; i++) users.push(await registerUser(send));
    const queued = readOutbox(join(outboxDir(), 'outbox.jsonl')).map(
      (entry) => entry.notification as { id: string; type: string; userUuid: string },
    );
    for (const user of users) {
      expect(queued.some((n) => n.type === 'registration' && n.userUuid === user.uuid)).toBe(true);
    }

    await relay.up();
    const received = new Map<string, { type: string; userUuid: string }>();
    await eventually(async () => {
      const batch = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of batch.Messages ?? []) {
        const envelope = JSON.parse(message.Body ?? '{}') as { Message?: string };
        const notification = JSON.parse(envelope.Message ?? '{}') as {
          id: string;
          type: string;
          userUuid: string;
        };
        received.set(notification.id, notification);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return users.every((user) =>
        [...received.values()].some((n) => n.type === 'registration' && n.userUuid === user.uuid),
      );
    }, 30_000).catch((error: unknown) => {
      throw new Error(
        `not delivered: pending ${JSON.stringify(readOutbox(join(outboxDir(), 'outbox.jsonl'))).slice(0, 1500)}, received ${JSON.stringify([...received.values()])}`,
        { cause: error },
      );
    });
    // Every queued notification was delivered exactly from the queue, which is now empty of them.
    for (const notification of queued) expect(received.has(notification.id)).toBe(true);
    await eventually(async () => {
      const pending = readOutbox(join(outboxDir(), 'outbox.jsonl')).map(
        (entry) => (entry.notification as { id: string }).id,
      );
      return queued.every((n) => !pending.includes(n.id));
    });
    const delivered = readOutbox(join(outboxDir(), 'delivered.jsonl')).map((entry) => entry.id);
    for (const notification of queued) expect(delivered).toContain(notification.id);
  }, 120_000);
});
