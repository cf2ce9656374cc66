/**
 * Every use case translates the ports' ConflictError / NotFoundError deliberately: a store
 * conflict becomes the retryable CONCURRENT_UPDATE (or the precise code the use case owns), a
 * record that vanished between a read and a write becomes the use case's own answer. Faults are
 * injected into the real dynalite stores one method at a time; the race itself is run too.
 */
import { ConflictError, NotFoundError, type Stores } from '@city/ports';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/auth-error.js';
import {
  createHarness,
  expectAuthError,
  type Harness,
  loginWithSignature,
  newUserBody,
  PASSWORD,
  refreshWithProof,
  registerWithServerKey,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { dynaliteEngine } from './support/store-engines.js';

type StoreName = Exclude<keyof Stores, 'close'>;

/** The engine's stores with one method failing (every call while armed). */
function withFault(stores: Stores, store: StoreName, method: string, error: Error): Stores {
  const target = stores[store] as unknown as Record<string, unknown>;
  const faulty = new Proxy(target, {
    get(obj, property, receiver) {
      if (property === method) return async () => Promise.reject(error);
      const value = Reflect.get(obj, property, receiver);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
  return { ...stores, [store]: faulty, close: () => stores.close() } as Stores;
}

describe('port errors are mapped by the use cases (dynalite)', () => {
  const engine = useEngine(dynaliteEngine);
  const faultyHarness = (store: StoreName, method: string, error: Error): Harness =>
    createHarness(withFault(engine.stores, store, method, error), engine.crypto, {}, engine.clock);

  it('concurrent renewals of one device: the losers get CONCURRENT_UPDATE, never a store error', async () => {
    const h = engine.harness();
    const { reg, principal } = await signedInUser(h.auth);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => h.auth.renewDeviceCertificate(principal, { key_algorithm: 'ed25519' })),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(AuthError);
        expect((r.reason as AuthError).code).toBe('CONCURRENT_UPDATE');
      }
    }
    const device = (await h.auth.listDevices(principal)).find((d) => d.deviceId === reg.deviceId);
    expect(fulfilled.map((r) => r.value.serialNumber)).toContain(device?.serialNumber);
  });

  it('renew: a conflicting certificate update is CONCURRENT_UPDATE, a vanished device DEVICE_NOT_FOUND', async () => {
    const { principal } = await signedInUser(engine.harness().auth);
    await expectAuthError(
      faultyHarness(
        'devices',
        'replaceCertificate',
        new ConflictError('fingerprint'),
      ).auth.renewDeviceCertificate(principal),
      'CONCURRENT_UPDATE',
    );
    await expectAuthError(
      faultyHarness('devices', 'replaceCertificate', new NotFoundError()).auth.renewDeviceCertificate(
        principal,
      ),
      'DEVICE_NOT_FOUND',
    );
  });

  it('register: a device or user clash on anything but username/email/mynumber is CONCURRENT_UPDATE', async () => {
    await expectAuthError(
      faultyHarness('devices', 'create', new ConflictError('fingerprint')).auth.register(newUserBody()),
      'CONCURRENT_UPDATE',
    );
    await expectAuthError(
      faultyHarness('users', 'create', new ConflictError('uuid')).auth.register(newUserBody()),
      'CONCURRENT_UPDATE',
    );
    await expectAuthError(
      faultyHarness('users', 'create', new ConflictError('username')).auth.register(newUserBody()),
      'USERNAME_TAKEN',
    );
  });

  it('pairing: token and device clashes are CONCURRENT_UPDATE', async () => {
    const { reg, principal } = await signedInUser(engine.harness().auth);
    await expectAuthError(
      faultyHarness('pairingTokens', 'create', new ConflictError('tokenHash')).auth.requestPairingToken(
        principal,
      ),
      'CONCURRENT_UPDATE',
    );
    const { token } = await engine.harness().auth.requestPairingToken(principal);
    await expectAuthError(
      faultyHarness(
        'devices',
        'create',
        new ConflictError('fingerprint'),
      ).auth.registerDeviceWithPairingToken({
        pairing_token: token,
        username: reg.username,
        password: PASSWORD,
        key_algorithm: 'ed25519',
      }),
      'CONCURRENT_UPDATE',
    );
  });

  it('login: challenge and session clashes are CONCURRENT_UPDATE', async () => {
    const reg = await registerWithServerKey(engine.harness().auth);
    await expectAuthError(
      faultyHarness('challenges', 'create', new ConflictError('challengeId')).auth.createLoginChallenge(),
      'CONCURRENT_UPDATE',
    );
    await expectAuthError(
      loginWithSignature(faultyHarness('refreshTokens', 'create', new ConflictError('familyId')).auth, {
        identifier: reg.uuid,
        deviceId: reg.deviceId,
        privateKeyPem: reg.privateKeyPem,
      }),
      'CONCURRENT_UPDATE',
    );
  });

  it('refresh: a family that vanished before the rotation is TOKEN_REVOKED', async () => {
    const { reg, login } = await signedInUser(engine.harness().auth);
    await expectAuthError(
      refreshWithProof(
        faultyHarness('refreshTokens', 'rotate', new NotFoundError()).auth,
        login.refreshToken,
        reg.privateKeyPem,
      ),
      'TOKEN_REVOKED',
    );
  });

  it('revoking a token or a device whose session already vanished still succeeds', async () => {
    const { login, principal, reg } = await signedInUser(engine.harness().auth);
    const gone = faultyHarness('refreshTokens', 'revoke', new NotFoundError());
    await expect(gone.auth.revokeToken({ token: login.refreshToken })).resolves.toBeUndefined();
    const { token } = await engine.harness().auth.requestPairingToken(principal);
    const second = await engine.harness().auth.registerDeviceWithPairingToken({
      pairing_token: token,
      username: reg.username,
      password: PASSWORD,
      key_algorithm: 'ed25519',
    });
    await loginWithSignature(engine.harness().auth, {
      identifier: reg.uuid,
      deviceId: second.deviceId,
      privateKeyPem: second.privateKeyPem as string,
    });
    await expect(gone.auth.revokeDevice(principal, second.deviceId)).resolves.toMatchObject({
      status: 'revoked',
    });
  });
});
