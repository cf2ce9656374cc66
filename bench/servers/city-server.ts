/**
 * Child process: the real API — @city/auth-runtime's embedded default (`openEmbeddedAuth`: SQLite
 * and the outbox under one data directory, in this process) behind `buildApp`, listening on
 * 127.0.0.1. Rate limits are off (the load generator is one address) and logs silenced; every
 * other setting is the default. `CITY_EMBEDDED_STORE=dynalite` in the environment selects the
 * DynamoDB-compatible embedded layout instead, `CITY_ACCESS_CACHE_SIZE=0` turns the access cache off,
 * `CITY_OUTBOX_MAX_BYTES` sets the notification outbox's size bound per file.
 * Usage: `node city-server.ts <dataDir>`; reports `{ port }` over IPC, answers `stats` (requests
 * received, CPU time) and stops on `stop`.
 */
import { authOverridesOf, buildApp, loadConfig } from '@city/api';
import { openEmbeddedAuth } from '@city/auth-runtime';
import { reportListening } from './_server-stats.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: city-server.ts <dataDir>');
const config = loadConfig({
  CITY_DATA_DIR: dataDir,
  CITY_RATE_LIMIT: '0',
  CITY_CREDENTIAL_RATE_LIMIT: '0',
  LOG_LEVEL: 'error',
  HOST: '127.0.0.1',
  PORT: '0',
  // Settings a benchmark may vary (the embedded store, the access cache).
  ...Object.fromEntries(
    ['CITY_EMBEDDED_STORE', 'CITY_ACCESS_CACHE_SIZE'].flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  ),
});
// The notification outbox's size bound per file (the soak runs it small to exercise the rotation).
const outboxMaxBytes = process.env.CITY_OUTBOX_MAX_BYTES;
const runtime = await openEmbeddedAuth({
  dataDir,
  config: authOverridesOf(config),
  store: config.embeddedStore,
  ...(outboxMaxBytes === undefined ? {} : { outboxMaxBytes: Number(outboxMaxBytes) }),
});
const app = await buildApp({ auth: runtime.auth, config, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
reportListening(app.server, async () => {
  await app.close();
  await runtime.close();
});
