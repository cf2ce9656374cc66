/**
 * Child process: better-auth 1.7.25 email/password on Node's built-in `node:sqlite` (WAL, file under
 * <dataDir>), with its password hooks doing Argon2id at the same parameters as City Chain Auth
 * (m=19456 KiB, t=2, p=1, 32-byte tag, 16-byte salt) on the same engine @city/password uses
 * (`argon2Engine()`: @node-rs/argon2, or node:crypto.argon2 when that is @city/password's fallback),
 * PHC strings. Built-in rate limiting off (one client address), telemetry off. Usage:
 * `node better-auth-server.ts <dataDir>`; reports `{ port }` over IPC, stops on `stop`.
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { argon2Engine } from '@city/password';
import { Algorithm, hash as nodeRsHash, verify as nodeRsVerify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { reportListening } from './_server-stats.ts';

const PARAMS = { memory: 19456, passes: 2, parallelism: 1, tagLength: 32 } as const;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      { message: Buffer.from(password.normalize('NFKC')), nonce: salt, ...PARAMS },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

const ENGINE = argon2Engine();
const NODE_RS_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: PARAMS.memory,
  timeCost: PARAMS.passes,
  parallelism: PARAMS.parallelism,
  outputLen: PARAMS.tagLength,
} as const;

async function hash(password: string): Promise<string> {
  if (ENGINE === 'node-rs') return nodeRsHash(password.normalize('NFKC'), NODE_RS_OPTIONS);
  const salt = randomBytes(16);
  const tag = await derive(password, salt);
  return `$argon2id$v=19$m=${PARAMS.memory},t=${PARAMS.passes},p=${PARAMS.parallelism}$${b64(salt)}$${b64(tag)}`;
}

async function verify({ hash: stored, password }: { hash: string; password: string }): Promise<boolean> {
  if (ENGINE === 'node-rs') return nodeRsVerify(stored, password.normalize('NFKC'));
  const parts = stored.split('$');
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  const tag = await derive(password, salt);
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: better-auth-server.ts <dataDir>');
const database = new DatabaseSync(join(dataDir, 'better-auth.sqlite'));
database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');

const options = {
  database,
  secret: randomBytes(32).toString('base64'),
  baseURL: 'http://127.0.0.1',
  // The load generator sends this Origin: better-auth's CSRF check wants a trusted one.
  trustedOrigins: ['http://bench.example'],
  emailAndPassword: { enabled: true, password: { hash, verify } },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

const server = createServer(toNodeHandler(auth));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
reportListening(server, async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  database.close();
});
