/**
 * Attack: replaying a rotated refresh token. A retry by the same device inside the
 * grace window (a flaky connection, a second tab) gets the same successor pair back; outside the
 * window, or from another device, the whole family is revoked and a security alert is raised
 * (RFC 9700 §4.14.2 reuse detection). The clock is controlled; nothing sleeps.
 */
import { join } from 'node:path';
import { signRefreshToken } from '@city/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiInstance,
  AUDIENCE,
  type ControlledClock,
  controlledClock,
  ISSUER,
  login,
  openSharedApi,
  readOutbox,
  refreshBody,
  registerUser,
  type SharedStorage,
  sender,
  startSharedStorage,
} from '../support/reliability-harness.js';

let shared: SharedStorage;
let api: ApiInstance;
let clock: ControlledClock;

beforeAll(async () => {
  shared = await startSharedStorage();
  clock = controlledClock();
  clock.freeze();
  api = await openSharedApi(shared, { clock, core: { refreshGraceSeconds: 10 } });
});

afterAll(async () => {
  await api?.close();
  await shared?.close();
});

const send = (...args: Parameters<ReturnType<typeof sender>>) => sender(api.app)(...args);

function alertsFor(userUuid: string): Record<string, unknown>[] {
  return readOutbox(join(shared.dir, 'outbox', 'outbox.jsonl'))
    .map((entry) => entry.notification as Record<string, unknown>)
    .filter((n) => n.type === 'security_alert' && n.userUuid === userUuid);
}

async function session() {
  const user = await registerUser(send);
  return { user, tokens: await login(send, user) };
}

describe('refresh token retry grace', () => {
  it('inside the window, the same device retrying gets the same successor pair (up to the boundary)', async () => {
    const { user, tokens } = await session();
    const first = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(first.status).toBe(200);
    clock.advance(5);
    const retry = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    clock.advance(5); // exactly at the end of the window: still inside
    const boundary = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(boundary.status).toBe(200);
    expect(boundary.body).toEqual(first.body);
    // The session lives on: the successor works and rotates normally.
    expect((await send('GET', '/me', { token: first.body.accessToken })).status).toBe(200);
    const next = await send('POST', '/token/refresh', {
      body: await refreshBody(send, first.body.refreshToken, user.privateKeyPem),
    });
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(alertsFor(user.uuid)).toHaveLength(0);
  });

  it('one second outside the window, the retry revokes the family and raises an alert', async () => {
    const { user, tokens } = await session();
    const first = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(first.status).toBe(200);
    clock.advance(11);
    const late = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const successor = await send('POST', '/token/refresh', {
      body: await refreshBody(send, first.body.refreshToken, user.privateKeyPem),
    });
    expect(successor.status).toBe(401);
    expect(successor.body.error.code).toBe('TOKEN_REVOKED');
    const me = await send('GET', '/me', { token: first.body.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('TOKEN_REVOKED');
    expect(alertsFor(user.uuid).length).toBeGreaterThanOrEqual(1);
  });

  it('inside the window but from another device, the retry revokes the family and raises an alert', async () => {
    const { user, tokens } = await session();
    const first = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(first.status).toBe(200);
    clock.advance(2);
    // The previous generation of the same family, bound to another device (server-signed:
    // what a replay through another device's client looks like once it passes the signature).
    const forged = await signRefreshToken(
      shared.keys(),
      {
        sub: user.uuid,
        deviceId: '11111111-1111-4111-8111-111111111111',
        familyId: tokens.sessionId,
        generation: 0,
      },
      { issuer: ISSUER, audience: AUDIENCE, now: new Date(clock.now()) },
    );
    const replay = await send('POST', '/token/refresh', {
      body: await refreshBody(send, forged.token, user.privateKeyPem),
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const successor = await send('POST', '/token/refresh', {
      body: await refreshBody(send, first.body.refreshToken, user.privateKeyPem),
    });
    expect(successor.status).toBe(401);
    expect((await send('GET', '/me', { token: first.body.accessToken })).status).toBe(401);
    expect(alertsFor(user.uuid).length).toBeGreaterThanOrEqual(1);
  });

  it('a token two generations old is reuse even inside the window', async () => {
    const { user, tokens } = await session();
    const first = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    const second = await send('POST', '/token/refresh', {
      body: await refreshBody(send, first.body.refreshToken, user.privateKeyPem),
    });
    expect(second.status).toBe(200);
    const old = await send('POST', '/token/refresh', {
      body: await refreshBody(send, tokens.refreshToken, user.privateKeyPem),
    });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect(
      (
        await send('POST', '/token/refresh', {
          body: await refreshBody(send, second.body.refreshToken, user.privateKeyPem),
        })
      ).status,
    ).toBe(401);
  });
});
