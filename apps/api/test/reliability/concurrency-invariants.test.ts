/**
 * Concurrency invariants over real HTTP: many clients racing for one username, one
 * pairing token or one refresh token. Two listening API instances share one dynalite + s3rver
 * (the same stores and keys), one with the refresh retry grace disabled, one with it on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crlSerials, serialOf } from '../helpers/crl-serials.js';
import {
  type ApiInstance,
  type HttpAnswer,
  login,
  newUser,
  openSharedApi,
  PASSWORD,
  refreshBody,
  registerUser,
  type SharedStorage,
  sender,
  startSharedStorage,
} from '../support/reliability-harness.js';

let shared: SharedStorage;
let strict: ApiInstance;
let graceful: ApiInstance;

// dynalite and s3rver run in worker threads (as in the embedded runtime), so 100 concurrent
// Argon2id registrations on this event loop do not stall the engines: the default store timeout
// holds and no racer turns into 503 STORE_UNAVAILABLE.
// Lockout must not turn the losers of a race into ACCOUNT_LOCKED answers for later steps.
const lockout = { accountFreeAttempts: 1000, ipMaxFailures: 100_000, alertThreshold: 1000 };

beforeAll(async () => {
  shared = await startSharedStorage();
  strict = await openSharedApi(shared, { core: { refreshGraceSeconds: 0, lockout } });
  graceful = await openSharedApi(shared, { core: { refreshGraceSeconds: 10, lockout } });
  await strict.listen();
  await graceful.listen();
});

afterAll(async () => {
  await strict?.close();
  await graceful?.close();
  await shared?.close();
});

function expectNoServerErrorAndCodes(answers: readonly HttpAnswer[]): void {
  for (const answer of answers) {
    expect(answer.status, answer.text).toBeLessThan(500);
    if (answer.status >= 400) expect(answer.body?.error?.code, answer.text).toEqual(expect.any(String));
  }
}

describe('concurrency invariants over HTTP', () => {
  it('100 concurrent registrations of one username: exactly one 201, the others 409 USERNAME_TAKEN', async () => {
    const send = sender(strict.baseUrl);
    const base = newUser();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send('POST', '/register', { body: { ...base, email: `race${i}.${String(base.email)}` } }),
      ),
    );
    expectNoServerErrorAndCodes(answers);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 201);
    expect(losers.map((a) => `${a.status} ${a.body?.error?.code}`)).toEqual(
      Array.from({ length: 99 }, () => '409 USERNAME_TAKEN'),
    );
    // The winner is complete: it can log in with the key it was given.
    const winner = answers.find((a) => a.status === 201)!.body;
    const tokens = await login(send, {
      uuid: winner.uuid,
      username: winner.username,
      deviceId: winner.deviceId,
      privateKeyPem: winner.privateKeyPem,
      fingerprint: winner.fingerprint,
    });
    const me = await send('GET', '/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(winner.username);
    expect(me.body.email).toMatch(/^race\d+\./);
  }, 180_000);

  it('50 concurrent redemptions of one pairing token: exactly one new device', async () => {
    const send = sender(strict.baseUrl);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    const pairing = await send('POST', '/pairing-tokens', { token: tokens.accessToken, body: {} });
    expect(pairing.status, pairing.text).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send('POST', '/devices', {
          body: {
            pairing_token: pairing.body.token,
            username: user.username,
            password: PASSWORD,
            key_algorithm: 'ed25519',
            device_label: `racer ${i}`,
          },
        }),
      ),
    );
    expectNoServerErrorAndCodes(answers);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const loser of answers.filter((a) => a.status !== 201)) {
      expect(loser.body.error.code, loser.text).toBe('INVALID_CREDENTIALS');
    }
    const devices = await send('GET', '/devices', { token: tokens.accessToken });
    expect(devices.status).toBe(200);
    expect(devices.body.devices).toHaveLength(2);
    const paired = answers.find((a) => a.status === 201)!.body;
    expect(devices.body.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(
      [user.deviceId, paired.deviceId].sort(),
    );
  }, 120_000);

  it('50 concurrent refreshes of one refresh token, grace disabled: one success and the family revoked', async () => {
    const send = sender(strict.baseUrl);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () =>
        send('POST', '/token/refresh', {
          body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
        }),
      ),
    );
    expectNoServerErrorAndCodes(answers);
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((a) => a.status !== 200)) {
      expect(loser.status).toBe(401);
      expect(['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED']).toContain(loser.body.error.code);
    }
    const winner = winners[0]!.body;
    // The family is revoked: the winner's successor refresh token and access token are dead too.
    const again = await send('POST', '/token/refresh', {
      body: await refreshBody(send, winner.refreshToken, user.privateKeyPem),
    });
    expect(again.status).toBe(401);
    expect(['REFRESH_TOKEN_REUSED', 'TOKEN_REVOKED']).toContain(again.body.error.code);
    const me = await send('GET', '/me', { token: winner.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('TOKEN_REVOKED');
    // ... on the other instance as well (shared stores).
    const elsewhere = await sender(graceful.baseUrl)('GET', '/me', { token: winner.accessToken });
    expect(elsewhere.status).toBe(401);
  }, 120_000);

  it('50 concurrent refreshes from the same device, grace enabled: all succeed with the same pair', async () => {
    const send = sender(graceful.baseUrl);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () =>
        send('POST', '/token/refresh', {
          body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
        }),
      ),
    );
    expectNoServerErrorAndCodes(answers);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const pairs = new Set(answers.map((a) => `${a.body.accessToken} ${a.body.refreshToken}`));
    expect(pairs.size).toBe(1);
    const pair = answers[0]!.body;
    expect(pair.refreshToken).not.toBe(tokens.refreshToken);
    expect(pair.sessionId).toBe(tokens.sessionId);
    // The shared successor is live.
    expect((await send('GET', '/me', { token: pair.accessToken })).status).toBe(200);
    expect(
      (
        await send('POST', '/token/refresh', {
          body: await refreshBody(send, pair.refreshToken, user.privateKeyPem),
        })
      ).status,
    ).toBe(200);
  }, 120_000);

  it('10 concurrent certificate renewals of one device: the racers that lose get 409 CONCURRENT_UPDATE, never 500, no certificate overwritten unseen, every replaced one revoked', async () => {
    const send = sender(strict.baseUrl);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        send('POST', `/devices/${user.deviceId}/renew`, {
          token: tokens.accessToken,
          body: { key_algorithm: 'ed25519' },
        }),
      ),
    );
    expectNoServerErrorAndCodes(answers);
    const winners = answers.filter((a) => a.status === 200).map((a) => a.body);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const loser of answers.filter((a) => a.status !== 200)) {
      expect(`${loser.status} ${loser.body.error.code}`).toBe('409 CONCURRENT_UPDATE');
    }
    // Several successes are only sequential renewals: each replaced a different certificate (a
    // chain), so no certificate was overwritten unseen; the device holds the chain's last one.
    const previous = winners.map((w) => w.previousSerialNumber);
    expect(new Set(previous).size).toBe(winners.length);
    const devices = await send('GET', '/devices', { token: tokens.accessToken });
    const device = devices.body.devices.find((d: { deviceId: string }) => d.deviceId === user.deviceId);
    const last = winners.filter((w) => !previous.includes(w.serialNumber));
    expect(last).toHaveLength(1);
    expect(device.serialNumber).toBe(last[0].serialNumber);
    // Every replaced certificate is revoked; the current one is not.
    const crl = await send('GET', '/crl');
    expect(crl.status).toBe(200);
    const revoked = crlSerials(crl.text);
    for (const serial of previous) expect(revoked, serial).toContain(serialOf(serial));
    expect(revoked).not.toContain(serialOf(device.serialNumber));
  }, 120_000);
});
