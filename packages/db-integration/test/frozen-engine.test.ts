/**
 * A frozen engine (a stopped process, a hung host) still accepts connections but never answers,
 * so without a total deadline every store call waits out each attempt's timeout and the SDK's
 * retries. Here a TCP relay in front of dynalite freezes on demand: it keeps accepting and holds
 * every byte. A call must fail with STORE_UNAVAILABLE at the deadline (not after the retries),
 * the following calls must fail without reaching the engine (the breaker), and once the engine
 * answers again the stores recover by themselves, without a new client.
 */

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDynalite } from '@city/dev-engines';
import { StoreUnavailableError } from '@city/ports';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoFixture, dynamoFixture } from './helpers/dynamo-fixture.js';

/** A relay to `target` that can be frozen: while frozen it accepts and reads, and forwards nothing. */
class FreezableRelay {
  frozen = false;
  /** Connections accepted while frozen. */
  heldConnections = 0;
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;

  constructor(private readonly target: URL) {
    this.#server = createServer((client) => this.#accept(client));
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => {});
    if (this.frozen) {
      this.heldConnections += 1;
      client.resume();
      return;
    }
    const upstream = createConnection({ host: this.target.hostname, port: Number(this.target.port) });
    this.#sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => this.#sockets.delete(upstream));
    client.on('data', (chunk) => {
      if (!this.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!this.frozen) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

let fixture: DynamoFixture | undefined;
let relay: FreezableRelay | undefined;
afterAll(async () => {
  await relay?.close();
  await fixture?.cleanup();
});

describe('a frozen engine: fail at the deadline, then at once, then recover', () => {
  it('answers STORE_UNAVAILABLE at the deadline, refuses without network while open, and recovers', async () => {
    const engine = await startDynalite();
    relay = new FreezableRelay(new URL(engine.endpoint));
    const endpoint = await relay.listen();
    fixture = await dynamoFixture(engine, {
      CITY_DYNAMODB_ENDPOINT: endpoint,
      CITY_STORE_DEADLINE_MS: '400',
      // Each attempt alone would wait 30 s: only the total deadline can end the call early.
      CITY_DYNAMODB_REQUEST_TIMEOUT_MS: '30000',
      CITY_DYNAMODB_MAX_ATTEMPTS: '3',
    });
    const { users } = fixture.stores;
    await users.ping();

    relay.frozen = true;
    const first = await users.getByUuid(randomUUID()).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(StoreUnavailableError);
    expect((first as StoreUnavailableError).message).toMatch(/did not answer within 400 ms/);
    expect((first as StoreUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    // The breaker is open: these calls fail before any request is sent.
    const heldBefore = relay.heldConnections;
    for (const call of [() => users.ping(), () => fixture!.stores.devices.listByUser(randomUUID())]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).message).toMatch(/not answering/);
      expect((error as StoreUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(relay.heldConnections).toBe(heldBefore);

    // The engine answers again: the next probe after the open period closes the breaker.
    relay.frozen = false;
    let recovered = false;
    for (let attempt = 0; attempt < 100 && !recovered; attempt += 1) {
      recovered = await users.ping().then(
        () => true,
        () => false,
      );
      if (!recovered) await sleep(100);
    }
    expect(recovered).toBe(true);
    expect(await users.getByUuid(randomUUID())).toBeUndefined();
  }, 60_000);
});
