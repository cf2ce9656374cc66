/**
 * Attack: using pairing redemption (`POST /devices` with a pairing token + username + password)
 * as a password oracle. With a made-up, foreign, expired or used token, the right password must
 * get exactly the answer a wrong password gets (status, code, message, headers that matter), so
 * guessing through this route tells nothing that login would not.
 */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  json,
  openTestApp,
  registerAndLogin,
  type Session,
  type TestApp,
} from './helpers/test-app.js';

let t: TestApp;
let alice: Session;
let mallory: Session;

beforeAll(async () => {
  t = await openTestApp();
  alice = await registerAndLogin(t.app);
  mallory = await registerAndLogin(t.app);
});
afterAll(async () => {
  await t?.close();
});

const pairingToken = async (session: Session): Promise<string> =>
  json<{ token: string }>(
    await t.app.inject({ method: 'POST', url: '/pairing-tokens', headers: bearer(session.accessToken) }),
  ).token;

const redeem = (token: string, password: string, username = alice.username) =>
  t.app.inject({
    method: 'POST',
    url: '/devices',
    payload: { pairing_token: token, username, password, key_algorithm: 'ed25519' },
    remoteAddress: '192.0.2.44',
  });

/** What a caller can compare between two answers. */
const visible = (response: LightMyRequestResponse) => ({
  status: response.statusCode,
  body: json(response),
  retryAfter: response.headers['retry-after'],
  contentType: response.headers['content-type'],
});

it('a right password with a random, foreign or used token answers exactly as a wrong password', async () => {
  const random = randomBytes(32).toString('base64url');
  const wrong = visible(await redeem(random, 'certainly not the password'));
  expect(wrong.status).toBe(401);
  expect(wrong.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: expect.any(String) } });

  expect(visible(await redeem(random, alice.password))).toEqual(wrong);
  expect(visible(await redeem(await pairingToken(mallory), alice.password))).toEqual(wrong);
  const used = await pairingToken(alice);
  expect((await redeem(used, alice.password)).statusCode).toBe(201);
  expect(visible(await redeem(used, alice.password))).toEqual(wrong);
  // An unknown username with the right password of someone else: the same again.
  expect(visible(await redeem(random, alice.password, `nobody${Date.now()}`))).toEqual(wrong);
});
