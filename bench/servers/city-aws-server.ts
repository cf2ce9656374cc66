/**
 * Child process: the real API in `CITY_MODE=aws` — `openAuthRuntime` on DynamoDB + S3 (the
 * deployment the operator provisioned: tables and bucket exist, endpoints and secrets directory
 * in the environment) behind `buildApp`, listening on 127.0.0.1. Rate limits are off (the load
 * generator is one address) and logs silenced; everything else comes from the environment as
 * `node dist/server.js` reads it, so `CITY_ACCESS_CACHE_SIZE=0` turns the access cache off.
 * Usage: `node city-aws-server.ts`; reports `{ port }` over IPC, answers `stats` (requests
 * received, CPU time) and stops on `stop`.
 */
import { appOptionsOf, buildApp, loadConfig, openAuthRuntime } from '@city/api';
import { reportListening } from './_server-stats.ts';

const config = loadConfig({
  ...process.env,
  CITY_MODE: 'aws',
  CITY_RATE_LIMIT: '0',
  CITY_CREDENTIAL_RATE_LIMIT: '0',
  LOG_LEVEL: 'error',
  HOST: '127.0.0.1',
  PORT: '0',
});
const runtime = await openAuthRuntime(config);
const app = await buildApp({ ...appOptionsOf(runtime), config, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
reportListening(app.server, async () => {
  await app.close();
  await runtime.close();
});
