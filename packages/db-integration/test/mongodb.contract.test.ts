/**
 * The shared store contract on MongoDB: whichever server `startMongoServer` finds
 * (MONGODB_URI, mongodb-memory-server with a cached binary, or FerretDB v1 on SQLite).
 * Outside CI the suite skips when no server can be started; in CI it fails instead.
 */
import { randomUUID } from 'node:crypto';
import { type MongoServer, startMongoServer } from '@city/dev-engines';
import type { Notification, Notifier } from '@city/ports';
import { afterAll, describe } from 'vitest';
import { createMongoStores } from '../src/mongodb/create-mongo-stores.js';
import { defineStoreContract } from './contract/store-contract.js';
import { inCi } from './helpers/availability.js';

/** Keeps notifications in memory; the MongoDB adapter only passes the injected notifier through. */
class RecordingNotifier implements Notifier {
  readonly published: Notification[] = [];
  async publish(notification: Notification): Promise<void> {
    this.published.push(notification);
  }
}

const started: MongoServer | Error = await startMongoServer().catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);
const server = started instanceof Error ? undefined : started;

afterAll(async () => {
  await server?.stop();
});

// Reason when skipped: no MongoDB server — set MONGODB_URI or install FerretDB v1 (see MONGO_INSTALL_HINT).
describe.skipIf(server === undefined && !inCi)(
  'mongodb store contract (needs MONGODB_URI or FerretDB v1)',
  () => {
    defineStoreContract(`mongodb(${server?.kind ?? 'unavailable'})`, async () => {
      if (server === undefined) throw started;
      const stores = await createMongoStores({
        uri: server.uri,
        dbName: `city_contract_${randomUUID().slice(0, 8)}`,
        notifier: new RecordingNotifier(),
      });
      return {
        stores,
        cleanup: async () => {
          await stores.db.dropDatabase().catch(() => undefined);
          await stores.close();
        },
      };
    });
  },
);
