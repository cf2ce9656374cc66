/**
 * Starts the example orders service from the environment:
 * `ORDERS_ISSUER` (required), `ORDERS_AUDIENCE` (default `city-chain`), `ORDERS_JWKS_URL` (default:
 * discovered from the issuer), `ORDERS_JWKS_COOLDOWN_SECONDS`, `ORDERS_CLIENT_ID` +
 * `ORDERS_CLIENT_SECRET` (turn on introspection), `ORDERS_INTROSPECTION` (`all` or `marked`),
 * `ORDERS_INTROSPECTION_CACHE_SECONDS`, `HOST` (127.0.0.1), `PORT` (3100; 0 picks one).
 * Prints `listening on <url>`; SIGTERM/SIGINT close it.
 */
import { buildOrdersService } from './build-orders-service.js';

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`orders: ${name} must be a non-negative number\n`);
    process.exit(1);
  }
  return value;
}

const issuer = process.env.ORDERS_ISSUER;
if (issuer === undefined || issuer === '') {
  process.stderr.write('orders: ORDERS_ISSUER is required (the City Chain API URL)\n');
  process.exit(1);
}
const clientId = process.env.ORDERS_CLIENT_ID;
const clientSecret = process.env.ORDERS_CLIENT_SECRET;
const cooldownSeconds = numberFrom('ORDERS_JWKS_COOLDOWN_SECONDS');
const cacheSeconds = numberFrom('ORDERS_INTROSPECTION_CACHE_SECONDS');
const routes = process.env.ORDERS_INTROSPECTION === 'marked' ? 'marked' : 'all';

const app = await buildOrdersService({
  issuer,
  audience: process.env.ORDERS_AUDIENCE ?? 'city-chain',
  jwksUrl: process.env.ORDERS_JWKS_URL || undefined,
  jwks: cooldownSeconds === undefined ? {} : { cooldownSeconds },
  introspection: clientId && clientSecret ? { clientId, clientSecret, routes, cacheSeconds } : undefined,
});
const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: numberFrom('PORT') ?? 3100 });
process.stdout.write(`listening on ${address}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
