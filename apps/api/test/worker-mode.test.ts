/**
 * Worker mode (`CITY_WORKERS=2`): two API processes on one port over one SQLite store, as real
 * processes. The deployment is created once (every worker serves the same keys and CA); a logout
 * through one worker is refused by the other, whose access cache had accepted the token; parallel
 * wrong passwords spread over both workers are verified exactly as often as the lockout allows; a
 * worker killed with SIGKILL is replaced; a busy port stops the start with exit 1; SIGTERM stops
 * every worker and the primary exits 0.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signChallenge } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiProcess,
  alive,
  compileServer,
  connectionPerWorker,
  PinnedConnection as Pinned,
  type PinnedConnection,
  startApi,
  waitFor,
} from './support/api-process.js';
import { newUser, PASSWORD } from './support/reliability-harness.js';

let dataDir: string;
let api: ApiProcess;
let url: string;
const opened: PinnedConnection[] = [];

beforeAll(async () => {
  compileServer();
  dataDir = await mkdtemp(join(tmpdir(), 'city-api-workers-'));
  api = startApi({ CITY_WORKERS: '2', CITY_DATA_DIR: dataDir, CITY_RATE_LIMIT: '0' });
  url = await api.url();
}, 120_000);

afterAll(async () => {
  for (const connection of opened) connection.close();
  if (api !== undefined && api.child.exitCode === null) {
    api.child.kill('SIGKILL');
    for (const pid of api.workerPids().values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

async function workers(): Promise<PinnedConnection[]> {
  const connections = await connectionPerWorker(url, 2);
  opened.push(...connections);
  return connections;
}

async function register(on: PinnedConnection) {
  const answer = await on.send('POST', '/register', { body: newUser() });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { uuid: string; username: string; deviceId: string; privateKeyPem: string };
}

async function signedLogin(
  on: PinnedConnection,
  user: { uuid: string; deviceId: string },
  keyPem: string,
  password = PASSWORD,
) {
  const challenge = await on.send('POST', '/login/challenge', { body: {} });
  expect(challenge.status).toBe(200);
  return on.send('POST', '/login', {
    body: {
      identifier: user.uuid,
      password,
      challenge_id: challenge.body.challengeId,
      signature: signChallenge(keyPem, challenge.body.challenge),
      device_id: user.deviceId,
    },
  });
}

describe('worker mode', () => {
  it('answers from two workers that serve the one deployment created at first start', async () => {
    const [first, second] = await workers();
    expect(first?.worker).not.toBe(second?.worker);
    const keys = await Promise.all([first, second].map((on) => on?.send('GET', '/.well-known/jwks.json')));
    const cas = await Promise.all([first, second].map((on) => on?.send('GET', '/ca.pem')));
    expect(keys[0]?.status).toBe(200);
    expect(keys[0]?.body).toEqual(keys[1]?.body);
    expect(cas[0]?.body).toMatch(/BEGIN CERTIFICATE/);
    expect(cas[0]?.body).toBe(cas[1]?.body);
    expect(api.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
  });

  it('logout-replay-on-another-worker: a token logged out through one worker is refused by the other', async () => {
    const [first, second] = (await workers()) as [PinnedConnection, PinnedConnection];
    const user = await register(first);
    const login = await signedLogin(second, user, user.privateKeyPem);
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    // Both workers accept the token, so both have it in their access cache.
    expect((await first.send('GET', '/me', { token })).status).toBe(200);
    expect((await second.send('GET', '/me', { token })).status).toBe(200);
    expect((await first.send('POST', '/logout', { token })).status).toBe(204);
    const replay = await second.send('GET', '/me', { token });
    expect(replay.status).toBe(401);
    expect((await first.send('GET', '/me', { token })).status).toBe(401);
    // The refresh token of the ended session is refused as well, by the worker that did not end it.
    const refreshChallenge = await second.send('POST', '/token/refresh/challenge', { body: {} });
    const refresh = await second.send('POST', '/token/refresh', {
      body: {
        refresh_token: login.body.refreshToken,
        challenge_id: refreshChallenge.body.challengeId,
        signature: signChallenge(user.privateKeyPem, refreshChallenge.body.challenge),
      },
    });
    expect(refresh.status).toBe(401);
  });

  it('parallel-guess-lockout-bypass across workers: 12 wrong passwords at once, exactly free + 1 verified', async () => {
    const [first] = (await workers()) as [PinnedConnection];
    const user = await register(first);
    // A key that is not the device's: the proof fails too, so the guesses count against the account.
    const stranger = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    // Twelve connections, alternating between the workers as the primary hands them out.
    const connections = await Promise.all(Array.from({ length: 12 }, () => Pinned.open(url)));
    opened.push(...connections);
    const perWorker = new Map<number | undefined, number>();
    for (const on of connections) perWorker.set(on.worker, (perWorker.get(on.worker) ?? 0) + 1);
    expect(perWorker.size).toBe(2);
    const challenges = await Promise.all(
      connections.map((on) => on.send('POST', '/login/challenge', { body: {} })),
    );
    const answers = await Promise.all(
      connections.map((on, i) =>
        on.send('POST', '/login', {
          body: {
            identifier: user.uuid,
            password: `wrong ${i}`,
            challenge_id: challenges[i]?.body.challengeId,
            signature: signChallenge(stranger, challenges[i]?.body.challenge),
            device_id: user.deviceId,
          },
        }),
      ),
    );
    const codes = answers.map((answer) => answer.body.error.code as string);
    // Five free guesses plus the one that starts the first lock period were checked; the rest were
    // refused before their password was looked at.
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(6);
    expect(codes.filter((code) => code === 'ACCOUNT_LOCKED')).toHaveLength(6);
    // Either worker refuses the next guess without the device key; the owner, who proves the
    // device key, is counted apart and still gets in.
    for (const on of await workers()) {
      const locked = await signedLogin(on, user, stranger, 'another guess');
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    }
    expect((await signedLogin(first, user, user.privateKeyPem)).status).toBe(200);
  });

  it('replaces a worker killed with SIGKILL and keeps answering', async () => {
    const before = api.workerPids();
    const [victimId, victimPid] = [...before.entries()][0] as [number, number];
    process.kill(victimPid, 'SIGKILL');
    await waitFor(() => api.workerPids().size > before.size, 'a replacement worker');
    expect(api.output()).toContain(`worker ${victimId} (pid ${victimPid}) ended (signal SIGKILL)`);
    const ids = new Set((await workers()).map((on) => on.worker));
    expect(ids.has(victimId)).toBe(false);
    expect(ids.size).toBe(2);
  });

  it('a busy port stops the start with exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const busyDir = await mkdtemp(join(tmpdir(), 'city-api-workers-busy-'));
    try {
      const second = startApi({ CITY_WORKERS: '2', CITY_DATA_DIR: busyDir, PORT: String(port) });
      expect(await second.exit).toBe(1);
      expect(second.output()).toMatch(/port \d+ on 127\.0\.0\.1 is already in use/);
    } finally {
      blocker.close();
      await rm(busyDir, { recursive: true, force: true });
    }
  });

  it('SIGTERM stops every worker and the primary exits 0', async () => {
    const pids = [...api.workerPids().values()].filter(alive);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    api.child.kill('SIGTERM');
    expect(await api.exit).toBe(0);
    for (const pid of pids) expect(alive(pid), `worker pid ${pid}`).toBe(false);
  });
});
