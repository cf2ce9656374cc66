/**
 * Soak: a bounded mixed workload against the real API on the embedded default (one server process,
 * SQLite) for BENCH_SOAK_S seconds (600). BENCH_SOAK_CLIENTS clients (8) each repeat one cycle over a
 * fixed pool of BENCH_SOAK_USERS users (32, registered during the first cycles): log in (challenge +
 * device signature + password), GET /me five times, refresh (challenge + signature), GET /me with the
 * new token, create a pairing token and redeem it as a second device, revoke that device, log out.
 * Any answer other than the expected status is an error. Reported: errors, the server's event-loop
 * delay p99 and RSS after the warm-up (BENCH_SOAK_WARMUP_S, 60) and at the end, the size of the
 * SQLite files and the notification outbox at the same two moments, and the row count of every
 * SQLite table at both (read through a read-only connection of this process: WAL readers never block
 * the server's writer). The tables bounded per user (devices, certificate bodies, sessions) must not
 * grow once every user has reached the caps: end ≤ after warm-up × 1.05 + a small constant. The
 * tables bounded by age (audit events, CRL entries) do grow during a run shorter than their bound,
 * which is reported beside them.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { signChallenge } from '@city/client-cert';
import { BENCH_PASSWORD, type CityUser, registerUser, runTag, signedLoginBody } from './lib/city-client.ts';
import { startServer } from './lib/load.ts';
import { report } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_SOAK_S ?? 600);
const WARMUP_S = Number(process.env.BENCH_SOAK_WARMUP_S ?? 60);
const CLIENTS = Number(process.env.BENCH_SOAK_CLIENTS ?? 8);
const USERS = Number(process.env.BENCH_SOAK_USERS ?? 32);
/**
 * The outbox's size bound per file for the run (`CITY_OUTBOX_MAX_BYTES`; 1 MiB by default, small
 * enough that a run fills it many times over, so the bound is exercised, not assumed).
 */
const OUTBOX_MAX_BYTES = Number(process.env.BENCH_SOAK_OUTBOX_MAX_BYTES ?? 1_048_576);

/** Bytes of every file under `dir` whose name passes `keep`. */
function bytesUnder(dir: string, keep: (name: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && keep(entry.name)) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Rows of every table of the SQLite file, through a read-only connection (closed before returning). */
function rowCounts(file: string): Record<string, number> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => String(row.name));
    return Object.fromEntries(
      tables.map((table) => [table, Number(db.prepare(`SELECT count(*) AS n FROM "${table}"`).get()?.n)]),
    );
  } finally {
    db.close();
  }
}

/** Tables whose rows are bounded per user once the caps are reached (20 revoked devices, 20 ended sessions). */
const PER_USER_BOUNDED = ['devices', 'certificate_blobs', 'refresh_families'] as const;
/** Slack of the per-user-bounded target: sessions and devices in flight when a count is taken. */
const IN_FLIGHT_ROWS = 4 * 8;
/** Tables bounded by age, with the bound as documented (db-integration README, "Bounded growth"). */
const AGE_BOUNDED: Readonly<Record<string, string>> = {
  audit_events: 'age: CITY_AUDIT_RETENTION_DAYS, 400 days by default',
  revoked_certificates: "until the certificate's notAfter (365 days by default) + 10 min",
};

const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-soak-'));
try {
  const city = await startServer('city-server.ts', [dataDir], {
    CITY_OUTBOX_MAX_BYTES: String(OUTBOX_MAX_BYTES),
  });
  const url = city.url;
  const tag = runTag();
  const users: CityUser[] = [];
  const counts = { cycles: 0, requests: 0, errors: 0 };
  const errorSamples: string[] = [];

  const call = async (
    method: string,
    path: string,
    expected: number,
    options: { token?: string; body?: string } = {},
  ): Promise<Record<string, unknown> | undefined> => {
    counts.requests += 1;
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    if (response.status !== expected) {
      counts.errors += 1;
      if (errorSamples.length < 5)
        errorSamples.push(`${method} ${path} → ${response.status}: ${text.slice(0, 160)}`);
      return undefined;
    }
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };

  const cycle = async (user: CityUser): Promise<void> => {
    const session = await call('POST', '/login', 200, { body: await signedLoginBody(url, user) });
    if (session === undefined) return;
    const accessToken = session.accessToken as string;
    for (let i = 0; i < 5; i++) await call('GET', '/me', 200, { token: accessToken });
    const challenge = await call('POST', '/token/refresh/challenge', 200, { body: '{}' });
    if (challenge === undefined) return;
    const refreshed = await call('POST', '/token/refresh', 200, {
      body: JSON.stringify({
        refresh_token: session.refreshToken,
        challenge_id: challenge.challengeId,
        signature: signChallenge(user.privateKeyPem, challenge.challenge as string),
      }),
    });
    if (refreshed === undefined) return;
    const token = refreshed.accessToken as string;
    await call('GET', '/me', 200, { token });
    const pairing = await call('POST', '/pairing-tokens', 201, { token, body: '{}' });
    if (pairing === undefined) return;
    const paired = await call('POST', '/devices', 201, {
      body: JSON.stringify({
        pairing_token: pairing.token,
        username: user.username,
        password: BENCH_PASSWORD,
        key_algorithm: 'ed25519',
      }),
    });
    if (paired === undefined) return;
    await call('DELETE', `/devices/${paired.deviceId as string}`, 200, { token });
    await call('POST', '/logout', 204, { token });
  };

  let registered = 0;
  const started = performance.now();
  const endAt = started + DURATION_S * 1000;
  let warm:
    | {
        stats: Awaited<ReturnType<typeof city.stats>>;
        sqliteBytes: number;
        outboxBytes: number;
        rows: Record<string, number>;
        cycles: number;
      }
    | undefined;
  const dbFile = join(dataDir, 'city.db');
  const sqliteBytes = () =>
    bytesUnder(dataDir, (name) => /\.sqlite(-wal|-shm)?$|\.db(-wal|-shm)?$/.test(name));
  const outboxBytes = () => bytesUnder(dataDir, (name) => name.endsWith('.jsonl'));
  await city.stats(); // restarts the event-loop histogram
  const warmTimer = setTimeout(
    async () => {
      warm = {
        stats: await city.stats(),
        sqliteBytes: sqliteBytes(),
        outboxBytes: outboxBytes(),
        rows: rowCounts(dbFile),
        cycles: counts.cycles,
      };
    },
    Math.min(WARMUP_S, DURATION_S / 2) * 1000,
  );
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let n = client;
      while (performance.now() < endAt) {
        let user = users[n % USERS];
        if (user === undefined && registered < USERS) {
          registered += 1;
          counts.requests += 1;
          user = await registerUser(url, tag, registered);
          users.push(user);
        }
        await cycle(user ?? (users[n % users.length] as CityUser));
        counts.cycles += 1;
        n += CLIENTS;
      }
    }),
  );
  clearTimeout(warmTimer);
  const endStats = await city.stats();
  await city.stop();
  // After the stop: the server's last commits are all in the file (or its WAL) now.
  const end = {
    stats: endStats,
    sqliteBytes: sqliteBytes(),
    outboxBytes: outboxBytes(),
    rows: rowCounts(dbFile),
    cycles: counts.cycles,
  };
  if (warm === undefined) throw new Error('the run ended before the warm-up did');
  const elapsedS = (performance.now() - started) / 1000;
  const mb = (bytes: number) => bytes / 1_048_576;

  report({
    name: 'soak',
    title: `Soak: ${CLIENTS} clients, ${users.length} users, ${DURATION_S} s (login, /me ×6, refresh, pairing, revoke, logout per cycle)`,
    peerName: 'after warm-up',
    rows: [
      {
        metric: 'errors (unexpected status)',
        unit: 'count',
        ours: counts.errors,
        peer: 0,
        target: { on: 'ours', op: '<=', value: 0 },
        note:
          errorSamples.join(' | ') ||
          `${counts.requests.toLocaleString('en-US')} requests, ${counts.cycles.toLocaleString('en-US')} cycles, ${(counts.requests / elapsedS).toFixed(0)} req/s`,
      },
      {
        metric: 'server RSS, end vs after warm-up',
        unit: 'MiB',
        ours: mb(end.stats.rssBytes),
        peer: mb(warm.stats.rssBytes),
        target: { on: 'ratio', op: '<=', value: 1.1 },
      },
      {
        metric: 'event-loop delay p99 (warm-up vs rest of the run)',
        unit: 'ms',
        ours: end.stats.loopP99Ms,
        peer: warm.stats.loopP99Ms,
      },
      {
        metric: 'SQLite files (db + WAL + shm), end vs after warm-up',
        unit: 'MiB',
        ours: mb(end.sqliteBytes),
        peer: mb(warm.sqliteBytes),
      },
      {
        metric: 'notification outbox (JSON lines), end vs after warm-up',
        unit: 'MiB',
        ours: mb(end.outboxBytes),
        peer: mb(warm.outboxBytes),
        // Two generations of outbox.jsonl and of delivered.jsonl at most.
        target: { on: 'ours', op: '<=', value: mb(4 * OUTBOX_MAX_BYTES) },
        note: `CITY_OUTBOX_MAX_BYTES ${OUTBOX_MAX_BYTES.toLocaleString('en-US')} per file, one previous generation kept`,
      },
      ...PER_USER_BOUNDED.map((table) => {
        const before = warm?.rows[table] ?? 0;
        return {
          metric: `rows of ${table}, end vs after warm-up (bounded per user)`,
          unit: 'rows',
          ours: end.rows[table] ?? 0,
          peer: before,
          target: {
            on: 'ours' as const,
            op: '<=' as const,
            value: Math.ceil(before * 1.05 + IN_FLIGHT_ROWS),
          },
          note: `${users.length} users; ≤ after warm-up × 1.05 + ${IN_FLIGHT_ROWS}`,
        };
      }),
      ...Object.entries(AGE_BOUNDED).map(([table, bound]) => ({
        metric: `rows of ${table}, end vs after warm-up (bounded by age)`,
        unit: 'rows',
        ours: end.rows[table] ?? 0,
        peer: warm?.rows[table] ?? 0,
        note: `bound: ${bound}; ${end.cycles - (warm?.cycles ?? 0)} cycles after warm-up`,
      })),
      ...Object.keys(end.rows)
        .filter(
          (table) => !(PER_USER_BOUNDED as readonly string[]).includes(table) && !(table in AGE_BOUNDED),
        )
        .map((table) => ({
          metric: `rows of ${table}, end vs after warm-up`,
          unit: 'rows',
          ours: end.rows[table] ?? 0,
          peer: warm?.rows[table] ?? 0,
        })),
    ],
    details: { counts, errorSamples, warm, end, elapsedS, users: users.length, clients: CLIENTS },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
