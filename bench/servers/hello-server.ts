/**
 * Child process: a bare Fastify hello-world (`GET /` → `{ hello: 'world' }`), the physical limit of
 * one Node process serving HTTP on this machine. Reports `{ port }` over IPC, stops on `stop`.
 */
import Fastify from 'fastify';
import { serveStats } from './_server-stats.ts';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: 0 });
serveStats(app.server);
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await app.close();
  process.exit(0);
});
