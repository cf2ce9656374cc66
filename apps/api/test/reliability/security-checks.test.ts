/**
 * Security checks over HTTP: no user enumeration (same answer for an unknown user and a wrong
 * password; that they take the same time is measured in bench/, failure-paths), lockout with
 * Retry-After that a stranger cannot turn against the device owner, forged/expired/foreign/revoked
 * JWTs refused (RFC 8725 §2.1/§3.1: no `none`, no HS/RS confusion), fingerprint-only login only
 * when that weak mode is switched on.
 */
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { signAccessToken } from '@city/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiInstance,
  AUDIENCE,
  type ControlledClock,
  controlledClock,
  type HttpAnswer,
  ISSUER,
  login,
  loginAnswer,
  openSharedApi,
  PASSWORD,
  refreshBody,
  registerUser,
  type SharedStorage,
  sender,
  startSharedStorage,
} from '../support/reliability-harness.js';

let shared: SharedStorage;
let relaxed: ApiInstance; // lockout thresholds far away (timing, JWT checks)
let strict: ApiInstance; // default lockout policy
let fingerprint: ApiInstance; // the legacy fingerprint login switched on
let clocked: ApiInstance; // own clock for expiry
let clock: ControlledClock;

beforeAll(async () => {
  shared = await startSharedStorage();
  relaxed = await openSharedApi(shared, {
    core: { lockout: { accountFreeAttempts: 100_000, ipMaxFailures: 1_000_000, alertThreshold: 100_000 } },
  });
  strict = await openSharedApi(shared, { core: { lockout: { ipMaxFailures: 1_000_000 } } });
  fingerprint = await openSharedApi(shared, {
    core: { proofModes: { fingerprint: true } },
    api: { fingerprintLogin: true },
  });
  clock = controlledClock();
  clocked = await openSharedApi(shared, { clock });
});

afterAll(async () => {
  for (const api of [relaxed, strict, fingerprint, clocked]) await api?.close();
  await shared?.close();
});

const b64u = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } => {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
  };
};

function expectRefused(answer: HttpAnswer, codes: readonly string[]): void {
  expect(answer.status, answer.text).toBe(401);
  expect(codes).toContain(answer.body?.error?.code);
}

describe('user enumeration', () => {
  it('unknown user and wrong password: identical status and body', async () => {
    const send = sender(relaxed.app);
    const user = await registerUser(send);
    const attempt = async (identifier: string): Promise<HttpAnswer> => {
      const challenge = await send('POST', '/login/challenge', { body: {} });
      return send('POST', '/login', {
        body: {
          identifier,
          password: 'not the password 0917',
          challenge_id: challenge.body.challengeId,
          signature: 'AAAA',
          device_id: user.deviceId,
        },
      });
    };
    const unknownAnswer = await attempt(`nobody.${user.username}`);
    const wrongAnswer = await attempt(user.username);
    expect(unknownAnswer.status).toBe(401);
    expect(unknownAnswer.body).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message: expect.any(String) },
    });
    expect(wrongAnswer.status).toBe(unknownAnswer.status);
    expect(wrongAnswer.body).toEqual(unknownAnswer.body);
  });

  it('wrong password with a valid device signature is the same answer as with a bad one', async () => {
    const send = sender(relaxed.app);
    const user = await registerUser(send);
    const signed = await loginAnswer(send, {
      identifier: user.username,
      deviceId: user.deviceId,
      privateKeyPem: user.privateKeyPem,
      password: 'not the password 0917',
    });
    expect(signed.status).toBe(401);
    expect(signed.body.error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('lockout and backoff', () => {
  it('repeated guesses without the device key lock the account with 429 and Retry-After, even for the right password; the device owner still gets in', async () => {
    const send = sender(strict.app);
    const user = await registerUser(send);
    // The guesser knows the device id, not the device key.
    const guesserKey = generateKeyPairSync('ed25519').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 8; i++) {
      answers.push(
        await loginAnswer(send, {
          identifier: i % 2 === 0 ? user.username : user.uuid,
          deviceId: user.deviceId,
          privateKeyPem: guesserKey,
          password: `wrong password ${i} xyz`,
        }),
      );
    }
    expect(answers[0]!.status).toBe(401);
    const locked = answers.filter((a) => a.status === 429);
    expect(locked.length).toBeGreaterThan(0);
    for (const answer of locked) {
      expect(answer.body.error.code).toBe('ACCOUNT_LOCKED');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    const right = await loginAnswer(send, {
      identifier: user.username,
      deviceId: user.deviceId,
      privateKeyPem: guesserKey,
    });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    const owner = await loginAnswer(send, {
      identifier: user.username,
      deviceId: user.deviceId,
      privateKeyPem: user.privateKeyPem,
    });
    expect(owner.status, owner.text).toBe(200);
  });

  it('an unknown identifier locks the same way (lockout does not reveal existence)', async () => {
    const send = sender(strict.app);
    const statuses: number[] = [];
    const ghost = `ghost.${Date.now().toString(36)}`;
    const deviceKey = generateKeyPairSync('ed25519').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    let last: HttpAnswer | undefined;
    for (let i = 0; i < 8; i++) {
      last = await loginAnswer(send, {
        identifier: ghost,
        deviceId: '00000000-0000-4000-8000-000000000000',
        privateKeyPem: deviceKey,
      });
      statuses.push(last.status);
    }
    expect(statuses).toContain(429);
    expect(last!.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('JWT attacks on protected routes', () => {
  it('alg none, HS256 signed with the public JWKS key, tampered payload, wrong audience, foreign key: 401 with a code', async () => {
    const send = sender(relaxed.app);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    expect((await send('GET', '/me', { token: tokens.accessToken })).status).toBe(200);
    const { header, payload } = decode(tokens.accessToken);
    const signature = tokens.accessToken.split('.')[2]!;

    const none = `${b64u({ ...header, alg: 'none' })}.${b64u(payload)}.`;
    expectRefused(await send('GET', '/me', { token: none }), ['TOKEN_INVALID']);
    const noneKeepSig = `${b64u({ ...header, alg: 'none' })}.${b64u(payload)}.${signature}`;
    expectRefused(await send('GET', '/me', { token: noneKeepSig }), ['TOKEN_INVALID']);

    const jwks = await send('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    }) as string;
    for (const secret of [publicPem, JSON.stringify(jwk), Buffer.from(String(jwk.x), 'base64url')]) {
      const signingInput = `${b64u({ ...header, alg: 'HS256' })}.${b64u(payload)}`;
      const hs = `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
      expectRefused(await send('GET', '/me', { token: hs }), ['TOKEN_INVALID']);
    }

    const tampered = `${tokens.accessToken.split('.')[0]}.${b64u({ ...payload, roles: ['admin'] })}.${signature}`;
    expectRefused(await send('GET', '/me', { token: tampered }), ['TOKEN_INVALID']);

    const keys = shared.keys();
    const claims = {
      sub: user.uuid,
      deviceId: user.deviceId,
      sid: tokens.sessionId,
      roles: ['user'],
    };
    const foreignAudience = await signAccessToken(keys, claims, { issuer: ISSUER, audience: 'someone-else' });
    expectRefused(await send('GET', '/me', { token: foreignAudience.token }), ['TOKEN_INVALID']);
    const foreignIssuer = await signAccessToken(keys, claims, {
      issuer: 'https://evil.example',
      audience: AUDIENCE,
    });
    expectRefused(await send('GET', '/me', { token: foreignIssuer.token }), ['TOKEN_INVALID']);
    // Control: the same crafting with the right audience and issuer is accepted (the refusals
    // above are about the claim, not about the crafting).
    const control = await signAccessToken(keys, claims, { issuer: ISSUER, audience: AUDIENCE });
    expect((await send('GET', '/me', { token: control.token })).status).toBe(200);

    // A refresh token is not an access token.
    expectRefused(await send('GET', '/me', { token: tokens.refreshToken }), ['TOKEN_INVALID']);
    // Garbage.
    for (const junk of ['x', 'a.b.c', `${'A'.repeat(5000)}.${'B'.repeat(5000)}.C`, '..', 'e30.e30.']) {
      expectRefused(await send('GET', '/me', { token: junk }), ['TOKEN_INVALID']);
    }
  });

  it('expired access token (clock moved past its lifetime) is refused with TOKEN_EXPIRED', async () => {
    const send = sender(clocked.app);
    const user = await registerUser(send);
    const tokens = await login(send, user);
    expect((await send('GET', '/me', { token: tokens.accessToken })).status).toBe(200);
    clock.advance(901);
    expectRefused(await send('GET', '/me', { token: tokens.accessToken }), ['TOKEN_EXPIRED']);
    // A token signed in the past with the server's own key is just as dead.
    const old = await signAccessToken(
      shared.keys(),
      { sub: user.uuid, deviceId: user.deviceId, sid: tokens.sessionId },
      { issuer: ISSUER, audience: AUDIENCE, now: new Date(Date.now() - 3_600_000) },
    );
    expectRefused(await sender(relaxed.app)('GET', '/me', { token: old.token }), ['TOKEN_EXPIRED']);
  });

  it('revoked tokens: after POST /token/revoke and after logout', async () => {
    const send = sender(relaxed.app);
    const user = await registerUser(send);
    const first = await login(send, user);
    const revoke = await send('POST', '/token/revoke', { body: { token: first.accessToken } });
    expect(revoke.status).toBe(200);
    expectRefused(await send('GET', '/me', { token: first.accessToken }), ['TOKEN_REVOKED']);

    const second = await login(send, user);
    expect((await send('POST', '/logout', { token: second.accessToken })).status).toBe(204);
    expectRefused(await send('GET', '/me', { token: second.accessToken }), ['TOKEN_REVOKED']);
    const refreshed = await send('POST', '/token/refresh', {
      body: await refreshBody(send, second.refreshToken, user.privateKeyPem),
    });
    expectRefused(refreshed, ['TOKEN_REVOKED']);
  });
});

describe('fingerprint-only login', () => {
  async function fingerprintLogin(api: ApiInstance, user: { uuid: string; fingerprint: string }) {
    return sender(api.app)('POST', '/login', {
      body: {
        identifier: user.uuid,
        password: PASSWORD,
        proof: 'fingerprint',
        client_cert_fp: user.fingerprint,
      },
    });
  }

  it('refused when the mode is off (the default), with or without naming the proof mode', async () => {
    const user = await registerUser(sender(relaxed.app));
    const answer = await fingerprintLogin(relaxed, user);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('PROOF_MODE_DISABLED');
    const implicit = await sender(relaxed.app)('POST', '/login', {
      body: { identifier: user.uuid, password: PASSWORD, client_cert_fp: user.fingerprint },
    });
    expect(implicit.status).toBeGreaterThanOrEqual(400);
    expect(implicit.status).toBeLessThan(500);
    expect(implicit.body.error.code).toEqual(expect.any(String));
    expect(implicit.body.accessToken).toBeUndefined();
  });

  it('accepted when enabled, and still refused for a wrong fingerprint', async () => {
    const user = await registerUser(sender(fingerprint.app));
    const answer = await fingerprintLogin(fingerprint, user);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.accessToken).toEqual(expect.any(String));
    const wrong = await fingerprintLogin(fingerprint, { uuid: user.uuid, fingerprint: 'ab'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });
});
