/**
 * Attack: replaying the certificate (or fingerprint, key, session) of a revoked device after the
 * store deleted its row. The embedded SQLite store keeps only a user's newest
 * `REVOKED_DEVICES_KEPT_PER_USER` revoked devices; a revocation past that deletes the older rows
 * and their certificate bodies. Every path that accepts an existing certificate or fingerprint —
 * mTLS login, signature login, the original clients' fingerprint login, certificate renewal,
 * pairing from the device, refresh of its sessions — must still refuse it, with the code it got
 * while the revoked row was still there (refresh: a stable `TOKEN_INVALID`, since possession of the
 * key of a device that no longer exists cannot be judged).
 */
import { DatabaseSync } from 'node:sqlite';
import { REVOKED_DEVICES_KEPT_PER_USER } from '@city/db-integration/sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoginResult, PairedDeviceResult, PairingTokenResult, Principal } from '../src/auth-service.js';
import {
  expectAuthError,
  type Harness,
  loginWithSignature,
  PASSWORD,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { sqliteEngine } from './support/store-engines.js';

type SignedIn = Awaited<ReturnType<typeof signedInUser>>;

/** Pairs a new device (server-generated key) from `owner`'s principal. */
async function pair(h: Harness, owner: SignedIn): Promise<PairedDeviceResult & { privateKeyPem: string }> {
  const issued = await h.auth.requestPairingToken(owner.principal, {});
  const paired = await h.auth.registerDeviceWithPairingToken({
    username: owner.reg.username,
    password: PASSWORD,
    pairing_token: issued.token,
    key_algorithm: 'ed25519',
  });
  expect(paired.privateKeyPem).toBeTypeOf('string');
  return paired as PairedDeviceResult & { privateKeyPem: string };
}

describe('a revoked device deleted past the per-user cap stays refused on every path', () => {
  const engine = useEngine(sqliteEngine);
  let h: Harness;
  let weak: Harness;
  let owner: SignedIn;
  let victim: PairedDeviceResult & { privateKeyPem: string };
  let victimLogin: LoginResult;
  let victimPrincipal: Principal;
  let victimPairing: PairingTokenResult;

  /** Every way of using the victim's certificate, fingerprint, key or session, each with the code it gets. */
  const attempts: Record<string, () => Promise<unknown>> = {
    'mTLS login': () =>
      h.auth.login(
        { identifier: owner.reg.username, password: PASSWORD, proof: 'mtls' },
        { peerCertificatePem: victim.certificatePem },
      ),
    'signature login': () =>
      loginWithSignature(h.auth, {
        identifier: owner.reg.username,
        deviceId: victim.deviceId,
        privateKeyPem: victim.privateKeyPem,
      }),
    "fingerprint login (the original clients' body)": () =>
      weak.auth.login({
        username: owner.reg.username,
        password: PASSWORD,
        client_cert_fp: victim.fingerprint,
      }),
    'renewal by its own session': () => h.auth.renewDeviceCertificate(victimPrincipal, {}),
    'renewal named by another device of the owner': () =>
      h.auth.renewDeviceCertificate(owner.principal, { device_id: victim.deviceId }),
    'access token': () => h.auth.authenticate(victimLogin.accessToken),
    'pairing from it': () =>
      h.auth.registerDeviceWithPairingToken({
        username: owner.reg.username,
        password: PASSWORD,
        pairing_token: victimPairing.token,
        key_algorithm: 'ed25519',
      }),
  };
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    // Every refused attempt below counts against the account; the lockout is not under test here.
    const lockout = { accountFreeAttempts: 10_000 };
    h = engine.harness({ lockout });
    weak = engine.harness({ lockout, proofModes: { fingerprint: true } });
    owner = await signedInUser(h.auth);
    victim = await pair(h, owner);
    victimLogin = await loginWithSignature(h.auth, {
      identifier: owner.reg.username,
      deviceId: victim.deviceId,
      privateKeyPem: victim.privateKeyPem,
    });
    victimPrincipal = await h.auth.authenticate(victimLogin.accessToken);
    victimPairing = await h.auth.requestPairingToken(victimPrincipal, {});
    await h.auth.revokeDevice(owner.principal, victim.deviceId);
    // The codes while the revoked row is still there: the baseline every later answer must match.
    for (const [name, attempt] of Object.entries(attempts)) {
      try {
        await attempt();
        codes[name] = 'accepted';
      } catch (error) {
        codes[name] = (error as { code?: string }).code ?? String(error);
      }
    }
    // Revoking REVOKED_DEVICES_KEPT_PER_USER more devices pushes the victim out.
    for (let i = 0; i < REVOKED_DEVICES_KEPT_PER_USER; i += 1) {
      const other = await pair(h, owner);
      await h.auth.revokeDevice(owner.principal, other.deviceId);
    }
  }, 120_000);

  it('the revoked row, with its certificate bodies, is gone, and its serial is still on the CRL', async () => {
    expect(await engine.stores.devices.get(owner.reg.uuid, victim.deviceId)).toBeUndefined();
    expect(await engine.stores.devices.getByFingerprint(victim.fingerprint)).toBeUndefined();
    const bodies = await engine.stores.certificates.listByUser(owner.reg.uuid);
    expect(bodies.filter((key) => key.includes(`/${victim.deviceId}/`))).toEqual([]);
    expect(await engine.stores.certificateRevocations.isRevoked(victim.serialNumber)).toBe(true);
    const revoked = (await h.auth.listDevices(owner.principal)).filter((d) => d.status === 'revoked');
    expect(revoked).toHaveLength(REVOKED_DEVICES_KEPT_PER_USER);
  });

  for (const name of Object.keys(attempts)) {
    it(`${name}: refused with the same code as while the revoked row existed`, async () => {
      expect(codes[name]).toBeDefined();
      expect(codes[name]).not.toBe('accepted');
      await expectAuthError((attempts[name] as () => Promise<unknown>)(), codes[name] as string);
    });
  }

  it('without its CRL entry (a crash between the two writes of a revocation) the missing row still refuses it', async () => {
    const path = (engine.stores as { path?: string }).path as string;
    const raw = new DatabaseSync(path);
    try {
      raw.prepare('DELETE FROM revoked_certificates WHERE serial_number = ?').run(victim.serialNumber);
    } finally {
      raw.close();
    }
    expect(await engine.stores.certificateRevocations.isRevoked(victim.serialNumber)).toBe(false);
    for (const name of ['mTLS login', 'signature login', "fingerprint login (the original clients' body)"]) {
      await expectAuthError((attempts[name] as () => Promise<unknown>)(), codes[name] as string);
    }
  });

  it("refresh of the deleted device's session is refused with a stable TOKEN_INVALID (possession cannot be judged)", async () => {
    await expectAuthError(
      refreshWithProof(h.auth, victimLogin.refreshToken, victim.privateKeyPem),
      'TOKEN_INVALID',
    );
    // The owner's own device is unaffected.
    const fresh = await refreshWithProof(h.auth, owner.login.refreshToken, owner.reg.privateKeyPem);
    expect(fresh.accessToken).toBeTypeOf('string');
  });
});
