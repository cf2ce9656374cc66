/**
 * Builds a real AuthService (real CA, JWT keys, key vault field cipher) over a given set of
 * stores, with a clock the test controls, plus small helpers for the registration story.
 */
import { type CertificateAuthority, createCertificateAuthority, signChallenge } from '@city/client-cert';
import { generateSigningKey, KeySet } from '@city/jwt';
import { type FieldCipher, KeyVault, MemoryCapsuleStore } from '@city/ntru-keyvault';
import type { Stores } from '@city/ports';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AuthConfigOverrides } from '../../src/auth-config.js';
import { AuthError } from '../../src/auth-error.js';
import type {
  AuthService,
  LoginResult,
  Principal,
  RefreshResult,
  RegistrationResult,
  RequestContext,
} from '../../src/auth-service.js';
import { createAuthService } from '../../src/create-auth-service.js';
import type { StoreEngine } from './store-engines.js';

/** A clock tests move by hand. */
export interface TestClock {
  now(): number;
  set(ms: number): void;
  advance(seconds: number): void;
}

export function createTestClock(start = Date.now()): TestClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
}

/** Crypto material shared by every service in a test file (creating it is the slow part). */
export interface Crypto {
  readonly ca: CertificateAuthority;
  readonly keys: KeySet;
  readonly fieldCipher: FieldCipher;
  readonly sealKey: Uint8Array;
}

export async function createCrypto(): Promise<Crypto> {
  const ca = await createCertificateAuthority({ commonName: 'City Chain Test Device CA' });
  const keys = KeySet.create([await generateSigningKey('EdDSA')]);
  const { vault } = await KeyVault.init({ store: new MemoryCapsuleStore(), algorithm: 'ml-kem-768' });
  return { ca, keys, fieldCipher: await vault.fieldCipher(), sealKey: await vault.dataKey('refresh-grace') };
}

export interface Harness {
  readonly auth: AuthService;
  readonly clock: TestClock;
  readonly stores: Stores;
  readonly crypto: Crypto;
  readonly internalErrors: { error: unknown; where: string }[];
}

export function createHarness(
  stores: Stores,
  crypto: Crypto,
  config: AuthConfigOverrides = {},
  clock: TestClock = createTestClock(),
): Harness {
  const internalErrors: { error: unknown; where: string }[] = [];
  const auth = createAuthService({
    stores,
    ...crypto,
    config: { issuer: 'https://auth.test.city', audience: 'city-test', ...config },
    clock,
    onInternalError: (error, where) => internalErrors.push({ error, where }),
  });
  return { auth, clock, stores, crypto, internalErrors };
}

let counter = 0;

/** A fresh, valid registration body. */
export function newUserBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
  return {
    username: `user.${tag}`,
    email: `user.${tag}@example.com`,
    password: 'violet tractor umbrella 42',
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

/** Refreshes a session as its device does: a fresh refresh challenge signed with the device key. */
export async function refreshWithProof(
  auth: AuthService,
  refreshToken: string,
  privateKeyPem: string,
  request: RequestContext = {},
): Promise<RefreshResult> {
  const challenge = await auth.createRefreshChallenge();
  return auth.refresh(
    {
      refresh_token: refreshToken,
      challenge_id: challenge.challengeId,
      signature: signChallenge(privateKeyPem, challenge.challenge),
    },
    request,
  );
}

/** Registers with a server-generated key and returns the result (private key included). */
export async function registerWithServerKey(
  auth: AuthService,
  overrides: Record<string, unknown> = {},
): Promise<RegistrationResult & { privateKeyPem: string }> {
  const result = await auth.register(newUserBody(overrides));
  expect(result.privateKeyPem).toBeTypeOf('string');
  return result as RegistrationResult & { privateKeyPem: string };
}

/** A user registered with a server-generated key and signed in on that device. */
export async function signedInUser(
  auth: AuthService,
  overrides: Record<string, unknown> = {},
): Promise<{
  reg: RegistrationResult & { privateKeyPem: string };
  login: LoginResult;
  principal: Principal;
}> {
  const reg = await registerWithServerKey(auth, overrides);
  const login = await loginWithSignature(auth, {
    identifier: reg.uuid,
    deviceId: reg.deviceId,
    privateKeyPem: reg.privateKeyPem,
  });
  return { reg, login, principal: await auth.authenticate(login.accessToken) };
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

/** A started engine shared by a test file: stores, one controllable clock, crypto material. */
export interface EngineFixture {
  stores: Stores;
  clock: TestClock;
  crypto: Crypto;
  /** A service over the shared stores and clock with the given config. */
  harness(config?: AuthConfigOverrides): Harness;
}

/** Starts `engine` once for the file (beforeAll) and stops it afterwards. */
export function useEngine(engine: StoreEngine): EngineFixture {
  const fixture = { clock: createTestClock() } as EngineFixture;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    fixture.crypto = await createCrypto();
    const opened = await engine.open({ now: () => fixture.clock.now() });
    fixture.stores = opened.stores;
    close = () => opened.close();
    fixture.harness = (config = {}) => createHarness(fixture.stores, fixture.crypto, config, fixture.clock);
  });
  afterAll(async () => {
    await close?.();
  });
  return fixture;
}
