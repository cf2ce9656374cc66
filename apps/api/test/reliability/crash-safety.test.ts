/**
 * Crash safety: mixed load (register, login, device pairing, device revocation, logout) against the
 * API as a real process, `kill -9` in the middle of it, then a restart on the same data directory.
 * Every write the API acknowledged (a 2xx answer reached the client) must hold afterwards: the
 * registered users log in, the paired devices are active, the revoked devices stay revoked, and a
 * token logged out before the crash stays refused after it (its refresh token too). Writes whose
 * answer never arrived may have gone either way and are not checked.
 *
 * Twice: one process killed; and worker mode (`CITY_WORKERS=2`), where one worker is killed first
 * (the primary replaces it and the load goes on), then the primary and every worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signChallenge } from '@city/client-cert';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiProcess, alive, compileServer, startApi, waitFor } from '../support/api-process.js';
import { fetchJson, type HttpAnswer, newUser, PASSWORD } from '../support/reliability-harness.js';

interface Device {
  readonly uuid: string;
  readonly username: string;
  readonly deviceId: string;
  readonly privateKeyPem: string;
}

interface Session {
  readonly device: Device;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** What the clients were told happened (acknowledged), and what they asked for without an answer. */
interface Ledger {
  readonly users: Device[];
  readonly sessions: Session[];
  readonly paired: Device[];
  readonly revoked: Device[];
  readonly loggedOut: Session[];
  /** Devices whose revocation was sent (answered or not): their state after the crash is open. */
  readonly revokeSent: Set<string>;
  /** Sessions whose logout was sent (answered or not). */
  readonly logoutSent: Set<string>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ENV = { CITY_RATE_LIMIT: '0', CITY_CREDENTIAL_RATE_LIMIT: '0' };

function killAll(api: ApiProcess): void {
  // The primary first, so it cannot replace the workers killed after it.
  if (api.child.pid !== undefined && alive(api.child.pid)) process.kill(api.child.pid, 'SIGKILL');
  for (const pid of api.workerPids().values()) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

async function started(env: Record<string, string>): Promise<{ api: ApiProcess; url: string }> {
  const api = startApi({ ...ENV, ...env });
  cleanups.push(async () => {
    killAll(api);
    await api.exit;
  });
  return { api, url: await api.url() };
}

async function loginAnswer(url: string, device: Device): Promise<HttpAnswer> {
  const challenge = await fetchJson(url, 'POST', '/login/challenge', { body: {} });
  if (challenge.status !== 200) return challenge;
  return fetchJson(url, 'POST', '/login', {
    body: {
      identifier: device.uuid,
      password: PASSWORD,
      challenge_id: challenge.body.challengeId,
      signature: signChallenge(device.privateKeyPem, challenge.body.challenge),
      device_id: device.deviceId,
    },
  });
}

async function refreshAnswer(url: string, session: Session): Promise<HttpAnswer> {
  const challenge = await fetchJson(url, 'POST', '/token/refresh/challenge', { body: {} });
  return fetchJson(url, 'POST', '/token/refresh', {
    body: {
      refresh_token: session.refreshToken,
      challenge_id: challenge.body.challengeId,
      signature: signChallenge(session.device.privateKeyPem, challenge.body.challenge),
    },
  });
}

/**
 * One client's cycle, repeated until `stop()`: register, log in, pair a device, log in again,
 * revoke the paired device, log the first session out. Each acknowledged step goes to the ledger;
 * a failed request (the server is gone) ends the cycle.
 */
async function client(url: () => string, ledger: Ledger, stop: () => boolean): Promise<void> {
  const ok = (answer: HttpAnswer, status: number) => answer.status === status;
  while (!stop()) {
    try {
      const registered = await fetchJson(url(), 'POST', '/register', { body: newUser() });
      if (!ok(registered, 201)) continue;
      const user: Device = {
        uuid: registered.body.uuid,
        username: registered.body.username,
        deviceId: registered.body.deviceId,
        privateKeyPem: registered.body.privateKeyPem,
      };
      ledger.users.push(user);
      const first = await loginAnswer(url(), user);
      if (!ok(first, 200)) continue;
      const session: Session = {
        device: user,
        accessToken: first.body.accessToken,
        refreshToken: first.body.refreshToken,
      };
      ledger.sessions.push(session);
      const pairing = await fetchJson(url(), 'POST', '/pairing-tokens', {
        token: session.accessToken,
        body: {},
      });
      if (!ok(pairing, 201)) continue;
      const redeemed = await fetchJson(url(), 'POST', '/devices', {
        body: {
          pairing_token: pairing.body.token,
          username: user.username,
          password: PASSWORD,
          key_algorithm: 'ed25519',
        },
      });
      if (!ok(redeemed, 201)) continue;
      const paired: Device = {
        ...user,
        deviceId: redeemed.body.deviceId,
        privateKeyPem: redeemed.body.privateKeyPem,
      };
      ledger.paired.push(paired);
      const second = await loginAnswer(url(), user);
      if (!ok(second, 200)) continue;
      ledger.sessions.push({
        device: user,
        accessToken: second.body.accessToken,
        refreshToken: second.body.refreshToken,
      });
      ledger.revokeSent.add(paired.deviceId);
      const revoked = await fetchJson(url(), 'DELETE', `/devices/${paired.deviceId}`, {
        token: second.body.accessToken,
      });
      if (!ok(revoked, 200)) continue;
      ledger.revoked.push(paired);
      ledger.logoutSent.add(session.accessToken);
      const logout = await fetchJson(url(), 'POST', '/logout', { token: session.accessToken });
      if (ok(logout, 204)) ledger.loggedOut.push(session);
    } catch {
      // The server went away mid-request: this step was never acknowledged.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function emptyLedger(): Ledger {
  return {
    users: [],
    sessions: [],
    paired: [],
    revoked: [],
    loggedOut: [],
    revokeSent: new Set(),
    logoutSent: new Set(),
  };
}

/** After the restart: every acknowledged write holds. */
async function checkLedger(url: string, ledger: Ledger): Promise<void> {
  expect(ledger.loggedOut.length).toBeGreaterThan(0);
  for (const user of ledger.users) {
    const login = await loginAnswer(url, user);
    expect(login.status, `registered user ${user.uuid} logs in`).toBe(200);
    const devices = await fetchJson(url, 'GET', '/devices', { token: login.body.accessToken });
    expect(devices.status).toBe(200);
    const status = new Map<string, string>(
      (devices.body.devices as { deviceId: string; status: string }[]).map((d) => [d.deviceId, d.status]),
    );
    expect(status.get(user.deviceId)).toBe('active');
    for (const paired of ledger.paired.filter((d) => d.uuid === user.uuid)) {
      if (ledger.revoked.includes(paired)) {
        expect(status.get(paired.deviceId), `revoked device ${paired.deviceId}`).toBe('revoked');
      } else if (!ledger.revokeSent.has(paired.deviceId)) {
        expect(status.get(paired.deviceId), `paired device ${paired.deviceId}`).toBe('active');
      }
    }
  }
  for (const paired of ledger.revoked) {
    const login = await loginAnswer(url, paired);
    expect(login.status, `login with revoked device ${paired.deviceId}`).not.toBe(200);
  }
  for (const session of ledger.loggedOut) {
    const me = await fetchJson(url, 'GET', '/me', { token: session.accessToken });
    expect(me.status, 'a token logged out before the crash').toBe(401);
    const refresh = await refreshAnswer(url, session);
    expect(refresh.status, 'the refresh token of a session logged out before the crash').toBe(401);
  }
  for (const session of ledger.sessions) {
    if (ledger.logoutSent.has(session.accessToken)) continue;
    const me = await fetchJson(url, 'GET', '/me', { token: session.accessToken });
    expect(me.status, 'a session opened before the crash and never ended').toBe(200);
  }
}

/** Runs `clients` load loops until `enough(ledger)` holds (polling), returning a stopper. */
function load(url: () => string, ledger: Ledger, clients: number) {
  let stopped = false;
  const loops = Array.from({ length: clients }, () => client(url, ledger, () => stopped));
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('crash safety', () => {
  it('kill -9 of the API mid-load loses no acknowledged registration, device, revocation or logout', async () => {
    compileServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'city-api-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await started({ CITY_DATA_DIR: dataDir });
    const ledger = emptyLedger();
    const running = load(() => first.url, ledger, 4);
    await waitFor(() => ledger.loggedOut.length >= 3, 'three complete client cycles', 6000);
    killAll(first.api);
    expect(await first.api.exit).toBe('SIGKILL');
    await running.stop();

    const second = await started({ CITY_DATA_DIR: dataDir });
    await checkLedger(second.url, ledger);
  }, 600_000);

  it('worker mode: kill -9 of one worker, then of the primary and every worker, mid-load loses nothing acknowledged', async () => {
    compileServer();
    const dataDir = await mkdtemp(join(tmpdir(), 'city-api-crash-workers-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await started({ CITY_DATA_DIR: dataDir, CITY_WORKERS: '2' });
    const ledger = emptyLedger();
    const running = load(() => first.url, ledger, 4);
    await waitFor(() => ledger.loggedOut.length >= 2, 'two complete client cycles', 6000);
    const [, victim] = [...first.api.workerPids().entries()][0] as [number, number];
    process.kill(victim, 'SIGKILL');
    const acknowledged = ledger.loggedOut.length;
    await waitFor(() => first.api.workerPids().size > 2, 'the replacement worker', 6000);
    await waitFor(() => ledger.loggedOut.length >= acknowledged + 2, 'two more cycles', 6000);
    killAll(first.api);
    expect(await first.api.exit).toBe('SIGKILL');
    await running.stop();

    const second = await started({ CITY_DATA_DIR: dataDir, CITY_WORKERS: '2' });
    await checkLedger(second.url, ledger);
  }, 600_000);
});
