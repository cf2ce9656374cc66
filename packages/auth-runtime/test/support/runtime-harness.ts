/**
 * Small helpers for the runtime suites: a valid registration body, a signature-proof login, an
 * assertion on an AuthError code, and whether a MongoDB wire server can run here.
 */
import { signChallenge } from '@city/client-cert';
import { startMongoServer } from '@city/dev-engines';
import { AuthError, type AuthService, type LoginResult, type RequestContext } from '@city/registration-core';
import { expect } from 'vitest';

export const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

let counter = 0;

/** A fresh, valid registration body. */
export function newUserBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
  return {
    username: `user.${tag}`,
    email: `user.${tag}@example.com`,
    password: PASSWORD,
    name: '山田 太郎',
    birth_date: '1990-04-01',
    address: '東京都千代田区千代田1-1',
    phone: '090-1234-5678',
    initial_harmony_token: 100,
    key_algorithm: 'ed25519',
    ...overrides,
  };
}

export const PASSWORD = 'violet tractor umbrella 42';

/** Signature-proof login: challenge → sign with the device key → login. */
export async function loginWithSignature(
  auth: AuthService,
  input: { identifier: string; password?: string; deviceId: string; privateKeyPem: string },
  request: RequestContext = {},
): Promise<LoginResult> {
  const challenge = await auth.createLoginChallenge();
  return auth.login(
    {
      identifier: input.identifier,
      password: input.password ?? PASSWORD,
      challenge_id: challenge.challengeId,
      signature: signChallenge(input.privateKeyPem, challenge.challenge),
      device_id: input.deviceId,
    },
    request,
  );
}

/** Awaits a rejection and checks it is an AuthError with `code`. */
export async function expectAuthError(promise: Promise<unknown>, code: string): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(code);
    return error as AuthError;
  }
  throw new Error(`expected AuthError ${code}, but the call succeeded`);
}

/** Why no MongoDB wire server can run here (and what to install), or undefined when one can. */
export const mongoSkipReason: string | undefined =
  inCi || process.env.MONGODB_URI !== undefined ? undefined : await probeMongo();

async function probeMongo(): Promise<string | undefined> {
  try {
    const server = await startMongoServer({ startTimeoutMs: 15_000 });
    await server.stop();
    return undefined;
  } catch (error) {
    return `needs a MongoDB server: set MONGODB_URI or install FerretDB v1 (${error instanceof Error ? error.message.split('\n')[0] : 'unavailable'})`;
  }
}
