/**
 * Child process: a bare Fastify hello-world (`GET /` → `{ hello: 'world' }`), the physical limit of
 * one Node process serving HTTP on this machine. With `HELLO_RESPONSE` (JSON `{ headers, body }`)
 * in the environment it answers `GET /` with exactly those headers and that body instead: the same
 * bytes on the wire as another server's response, without that server's work. Reports `{ port }`
 * over IPC, answers `stats`, stops on `stop`.
 */
import Fastify from 'fastify';
import { reportListening } from './_server-stats.ts';

const app = Fastify({ logger: false });
const fixed = process.env.HELLO_RESPONSE;
if (fixed === undefined) {
  app.get('/', async () => ({ hello: 'world' }));
} else {
  const { headers, body } = JSON.parse(fixed) as { headers: Record<string, string>; body: string };
  app.get('/', (_request, reply) => {
    reply.headers(headers).send(body);
  });
}
await app.listen({ host: '127.0.0.1', port: 0 });
reportListening(app.server, () => app.close());
