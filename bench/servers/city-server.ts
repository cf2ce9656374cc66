/**
 * Child process: the real API — registration-core's embedded default (`openEmbeddedAuth`: dynalite,
 * s3rver and the outbox under one data directory; dynalite and s3rver in worker threads of this
 * process, its default) behind `buildApp`, listening
 * on 127.0.0.1. Rate limits are off (the load generator is one address) and logs silenced; every
 * other setting is the default. Usage: `node city-server.ts <dataDir>`; reports `{ port }` over IPC
 * and stops on the message `stop`.
 */
import { subscribe } from 'node:diagnostics_channel';
import { Server } from 'node:http';
import { authOverridesOf, buildApp, loadConfig } from '@city/api';
import { openEmbeddedAuth } from '@city/registration-core';

// Counts the API's incoming requests and the HTTP requests this process sends (the store clients'
// calls to dynalite and s3rver), so the bench can report how many store round trips one API request
// makes. Counted on the client side: dynalite and s3rver listen inside worker threads, whose servers
// this thread cannot observe. Answered on the message `stats`.
let apiRequests = 0;
let outgoingRequests = 0;
subscribe('http.client.request.start', () => {
  outgoingRequests++;
});
const originalEmit = Server.prototype.emit;
Server.prototype.emit = function countingEmit(this: Server, event: string | symbol, ...args: unknown[]) {
  if (event === 'request') apiRequests++;
  return originalEmit.call(this, event, ...args);
} as typeof Server.prototype.emit;

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: city-server.ts <dataDir>');
const config = loadConfig({
  CITY_DATA_DIR: dataDir,
  CITY_RATE_LIMIT: '0',
  CITY_CREDENTIAL_RATE_LIMIT: '0',
  LOG_LEVEL: 'error',
  HOST: '127.0.0.1',
  PORT: '0',
});
const runtime = await openEmbeddedAuth({ dataDir, config: authOverridesOf(config) });
const app = await buildApp({ auth: runtime.auth, config, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
process.on('message', async (message) => {
  if (message === 'stats') {
    process.send?.({ stats: { api: apiRequests, stores: outgoingRequests } });
    return;
  }
  if (message !== 'stop') return;
  // Store writes still in flight when dynalite closes throw "Database is closed" from a dynalite
  // callback (uncaught); during shutdown that is expected noise, not a benchmark failure.
  process.on('uncaughtException', (error) => {
    if (error instanceof Error && error.message === 'Database is closed') return;
    throw error;
  });
  await app.close();
  await runtime.close();
  process.exit(0);
});
