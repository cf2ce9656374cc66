/**
 * Login over the real DynamoDB adapter: every proof mode and its failures, challenge rules,
 * certificate expiry, legacy hash migration, backoff/lockout with a controlled clock, IP limits
 * and security alerts.
 */
import { createCertificateAuthority, issueClientCertificate, signChallenge } from '@city/client-cert';
import { hashLegacySha256 } from '@city/password';
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  type Harness,
  loginWithSignature,
  PASSWORD,
  refreshWithProof,
  registerWithServerKey,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('login', () => {
        it('accepts uuid, username (any case, full-width) and email as identifier', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const email = (
            await h.auth.me(
              await h.auth.authenticate(
                (
                  await loginWithSignature(h.auth, {
                    identifier: reg.uuid,
                    deviceId: reg.deviceId,
                    privateKeyPem: reg.privateKeyPem,
                  })
                ).accessToken,
              ),
            )
          ).email;
          const fullWidth = [...reg.username]
            .map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0))
            .join('');
          for (const identifier of [
            reg.uuid.toUpperCase(),
            reg.username.toUpperCase(),
            fullWidth,
            email.toUpperCase(),
            `  ${reg.username}  `,
          ]) {
            const login = await loginWithSignature(h.auth, {
              identifier,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            });
            expect(login.user.uuid).toBe(reg.uuid);
          }
        });

        it('accepts the legacy { uuid, password } body (uuid as an alias of identifier)', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const challenge = await h.auth.createLoginChallenge();
          const login = await h.auth.login({
            uuid: reg.uuid,
            password: PASSWORD,
            challenge_id: challenge.challengeId,
            signature: signChallenge(reg.privateKeyPem, challenge.challenge),
            device_id: reg.deviceId,
          });
          expect(login.user.uuid).toBe(reg.uuid);
          const conflict = await expectAuthError(
            h.auth.login({ uuid: reg.uuid, identifier: reg.uuid, password: PASSWORD }),
            'VALIDATION_FAILED',
          );
          expect(conflict.fields).toEqual([
            expect.objectContaining({ field: 'uuid', code: 'CONFLICTING_FIELDS' }),
          ]);
        });

        it('fingerprint mode is off by default, and works (weakly) only when enabled', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const body = {
            identifier: reg.username,
            password: PASSWORD,
            proof: 'fingerprint',
            client_cert_fp: reg.fingerprint,
          };
          await expectAuthError(h.auth.login(body), 'PROOF_MODE_DISABLED');
          const weak = engine.harness({ proofModes: { fingerprint: true } });
          expect((await weak.auth.login(body)).deviceId).toBe(reg.deviceId);
          // Colon/upper-case form of the same fingerprint is the same device.
          const colons = reg.fingerprint.toUpperCase().match(/../g)?.join(':') ?? '';
          expect((await weak.auth.login({ ...body, client_cert_fp: colons })).deviceId).toBe(reg.deviceId);
          const other = await registerWithServerKey(h.auth);
          await expectAuthError(
            weak.auth.login({ ...body, client_cert_fp: other.fingerprint }),
            'INVALID_CREDENTIALS',
          );
          await expectAuthError(weak.auth.login({ ...body, client_cert_fp: 'zz' }), 'INVALID_CREDENTIALS');
          await expectAuthError(
            weak.auth.login({ identifier: reg.username, password: PASSWORD, proof: 'fingerprint' }),
            'VALIDATION_FAILED',
          );
        });

        it("a body with client_cert_fp and no proof is a fingerprint login (the original clients' body)", async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const original = { username: reg.username, password: PASSWORD, client_cert_fp: reg.fingerprint };
          const refused = await expectAuthError(h.auth.login(original), 'PROOF_MODE_DISABLED');
          expect(refused.message).toContain('challenge_id, signature and device_id');
          const weak = engine.harness({ proofModes: { fingerprint: true } });
          expect((await weak.auth.login(original)).deviceId).toBe(reg.deviceId);
          await expectAuthError(
            weak.auth.login({ ...original, password: 'wrong password here' }),
            'INVALID_CREDENTIALS',
          );
          // Signature fields next to the fingerprint keep the default (signature) proof.
          await expectAuthError(
            weak.auth.login({ ...original, device_id: reg.deviceId }),
            'VALIDATION_FAILED',
          );
        });

        it('mtls mode uses only the TLS-verified peer certificate', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const body = { identifier: reg.username, password: PASSWORD, proof: 'mtls' };
          expect((await h.auth.login(body, { peerCertificatePem: reg.certificatePem })).deviceId).toBe(
            reg.deviceId,
          );
          await expectAuthError(h.auth.login(body), 'CLIENT_CERTIFICATE_REQUIRED');
          // A certificate for the same uuid/device from another CA is refused.
          const rogue = await createCertificateAuthority({ algorithm: 'ecdsa-p256' });
          const forged = await issueClientCertificate({
            ca: rogue,
            userUuid: reg.uuid,
            deviceId: reg.deviceId,
            algorithm: 'ed25519',
          });
          await expectAuthError(
            h.auth.login(body, { peerCertificatePem: forged.certificatePem }),
            'INVALID_CREDENTIALS',
          );
          await expectAuthError(
            h.auth.login(body, { peerCertificatePem: 'not a pem' }),
            'INVALID_CREDENTIALS',
          );
          // Another user's genuine certificate does not prove this user's device.
          const other = await registerWithServerKey(h.auth);
          await expectAuthError(
            h.auth.login(body, { peerCertificatePem: other.certificatePem }),
            'INVALID_CREDENTIALS',
          );
          const disabled = engine.harness({ proofModes: { mtls: false } });
          await expectAuthError(
            disabled.auth.login(body, { peerCertificatePem: reg.certificatePem }),
            'PROOF_MODE_DISABLED',
          );
        });

        it('challenges are single use, expire after 120 s, and a wrong signature fails', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const challenge = await h.auth.createLoginChallenge();
          expect(Date.parse(challenge.expiresAt) - h.clock.now()).toBe(120_000);
          const body = {
            identifier: reg.username,
            password: PASSWORD,
            challenge_id: challenge.challengeId,
            device_id: reg.deviceId,
            signature: signChallenge(reg.privateKeyPem, challenge.challenge),
          };
          await h.auth.login(body);
          await expectAuthError(h.auth.login(body), 'CHALLENGE_INVALID');
          const late = await h.auth.createLoginChallenge();
          h.clock.advance(121);
          await expectAuthError(
            h.auth.login({
              ...body,
              challenge_id: late.challengeId,
              signature: signChallenge(reg.privateKeyPem, late.challenge),
            }),
            'CHALLENGE_INVALID',
          );
          const c3 = await h.auth.createLoginChallenge();
          await expectAuthError(
            h.auth.login({
              ...body,
              challenge_id: c3.challengeId,
              signature: signChallenge(reg.privateKeyPem, `${c3.challenge}x`),
            }),
            'INVALID_CREDENTIALS',
          );
          const c4 = await h.auth.createLoginChallenge();
          await expectAuthError(
            h.auth.login({ ...body, challenge_id: c4.challengeId, signature: 'AAAA' }),
            'INVALID_CREDENTIALS',
          );
          await expectAuthError(
            h.auth.login({ identifier: reg.username, password: PASSWORD }),
            'VALIDATION_FAILED',
          );
          await expectAuthError(h.auth.createLoginChallenge({ extra: 1 }), 'VALIDATION_FAILED');
        });

        it('an expired device certificate fails login with the reason audited', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          h.clock.advance(366 * 24 * 3600);
          await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: reg.uuid,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
          const events = (await h.stores.audit.list({ userUuid: reg.uuid, limit: 10 })).items;
          expect(events.find((e) => e.type === 'login_failure')?.reason).toBe('certificate_expired');
        });

        it('renewal replaces the certificate, revokes the old serial, and login continues with the new key', async () => {
          const h = engine.harness();
          const { reg, principal } = await signedInUser(h.auth);
          const renewed = await h.auth.renewDeviceCertificate(principal);
          expect(renewed).toMatchObject({
            deviceId: reg.deviceId,
            previousSerialNumber: reg.serialNumber,
            algorithm: 'ed25519',
          });
          expect(await h.stores.certificateRevocations.isRevoked(reg.serialNumber)).toBe(true);
          await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: reg.uuid,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
          await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: renewed.privateKeyPem as string,
          });
          await expectAuthError(
            h.auth.login(
              { identifier: reg.username, password: PASSWORD, proof: 'mtls' },
              { peerCertificatePem: reg.certificatePem },
            ),
            'INVALID_CREDENTIALS',
          );
        });

        it('rehashes a legacy salted SHA-256 hash to Argon2id on the first successful login', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const user = await h.stores.users.getByUuid(reg.uuid);
          if (user === undefined) throw new Error('user missing');
          await h.stores.users.update(
            reg.uuid,
            { passwordHash: hashLegacySha256('password123') },
            user.version,
            h.clock.now(),
          );
          await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: reg.uuid,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
          await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            password: 'password123',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          });
          const after = await h.stores.users.getByUuid(reg.uuid);
          expect(after?.passwordHash).toMatch(/^\$argon2id\$/);
          expect(after?.version).toBe(user.version + 2);
          await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            password: 'password123',
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          });
        });

        it('backs off exponentially per account for guesses without a device proof', async () => {
          const h = engine.harness({
            lockout: { accountFreeAttempts: 2, baseLockSeconds: 30, maxLockSeconds: 100 },
          });
          const reg = await registerWithServerKey(h.auth);
          // A stranger holds some device key, not one of this account's.
          const stranger = await registerWithServerKey(h.auth);
          const guess = (password = 'wrong wrong wrong') =>
            loginWithSignature(h.auth, {
              identifier: reg.username,
              password,
              deviceId: stranger.deviceId,
              privateKeyPem: stranger.privateKeyPem,
            });
          await expectAuthError(guess(), 'INVALID_CREDENTIALS');
          await expectAuthError(guess(), 'INVALID_CREDENTIALS');
          await expectAuthError(guess(), 'INVALID_CREDENTIALS'); // 3rd guess: locked 30 s
          expect((await expectAuthError(guess(), 'ACCOUNT_LOCKED')).retryAfterSeconds).toBe(30);
          // Even the right password is refused while locked.
          await expectAuthError(guess(PASSWORD), 'ACCOUNT_LOCKED');
          h.clock.advance(31);
          await expectAuthError(guess(), 'INVALID_CREDENTIALS'); // 4th: locked 60 s
          expect((await expectAuthError(guess(), 'ACCOUNT_LOCKED')).retryAfterSeconds).toBe(60);
          h.clock.advance(61);
          await expectAuthError(guess(), 'INVALID_CREDENTIALS'); // 5th: 120 s capped at 100
          expect((await expectAuthError(guess(), 'ACCOUNT_LOCKED')).retryAfterSeconds).toBe(100);
          expect(
            (await h.stores.audit.list({ userUuid: reg.uuid, limit: 100 })).items.some(
              (e) => e.type === 'lockout',
            ),
          ).toBe(true);
        });

        it('a device-proven login has its own looser limit, reset by a success', async () => {
          const h = engine.harness({
            lockout: { accountFreeAttempts: 1, deviceFreeAttempts: 2, baseLockSeconds: 30 },
          });
          const reg = await registerWithServerKey(h.auth);
          const owner = (password = 'wrong wrong wrong') =>
            loginWithSignature(h.auth, {
              identifier: reg.username,
              password,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            });
          await expectAuthError(owner(), 'INVALID_CREDENTIALS');
          await expectAuthError(owner(), 'INVALID_CREDENTIALS');
          await owner(PASSWORD); // the 3rd guess is verified (and locks until it succeeds)
          await expectAuthError(owner(), 'INVALID_CREDENTIALS'); // counter was reset
          await expectAuthError(owner(), 'INVALID_CREDENTIALS');
          await expectAuthError(owner(), 'INVALID_CREDENTIALS');
          expect((await expectAuthError(owner(), 'ACCOUNT_LOCKED')).retryAfterSeconds).toBe(30);
        });

        it('locks an IP address that fails across many identifiers', async () => {
          const h = engine.harness({ lockout: { ipMaxFailures: 3, ipLockSeconds: 60 } });
          const reg = await registerWithServerKey(h.auth);
          const ip = { ip: '198.51.100.7' };
          for (const name of ['aaa.one', 'bbb.two', 'ccc.three']) {
            await expectAuthError(
              loginWithSignature(
                h.auth,
                { identifier: name, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem },
                ip,
              ),
              'INVALID_CREDENTIALS',
            );
          }
          const locked = await expectAuthError(
            loginWithSignature(
              h.auth,
              { identifier: reg.username, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem },
              ip,
            ),
            'TOO_MANY_ATTEMPTS',
          );
          expect(locked.retryAfterSeconds).toBe(60);
          // Another address is unaffected.
          await loginWithSignature(
            h.auth,
            { identifier: reg.username, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem },
            { ip: '198.51.100.8' },
          );
        });

        it('raises one security alert when failures for an account spike', async () => {
          const h = engine.harness({ lockout: { alertThreshold: 3, accountFreeAttempts: 100 } });
          const reg = await registerWithServerKey(h.auth);
          for (let i = 0; i < 5; i++) {
            await expectAuthError(
              loginWithSignature(h.auth, {
                identifier: reg.username,
                password: 'wrong wrong wrong',
                deviceId: reg.deviceId,
                privateKeyPem: reg.privateKeyPem,
              }),
              'INVALID_CREDENTIALS',
            );
          }
          const alerts = (await h.stores.audit.list({ userUuid: reg.uuid, limit: 100 })).items.filter(
            (e) => e.type === 'security_alert',
          );
          expect(alerts).toHaveLength(1);
          expect(alerts[0]?.reason).toBe('failed_login_spike');
        });

        it('a disabled user cannot log in and their tokens stop working', async () => {
          const h: Harness = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const login = await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          });
          const user = await h.stores.users.getByUuid(reg.uuid);
          await h.stores.users.update(reg.uuid, { status: 'disabled' }, user?.version ?? 0, h.clock.now());
          await expectAuthError(h.auth.authenticate(login.accessToken), 'TOKEN_REVOKED');
          await expectAuthError(
            refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem),
            'TOKEN_REVOKED',
          );
          await expectAuthError(
            loginWithSignature(h.auth, {
              identifier: reg.uuid,
              deviceId: reg.deviceId,
              privateKeyPem: reg.privateKeyPem,
            }),
            'INVALID_CREDENTIALS',
          );
        });

        it('authenticate refuses missing, garbage, refresh and expired tokens', async () => {
          const h = engine.harness();
          const reg = await registerWithServerKey(h.auth);
          const login = await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem,
          });
          await expectAuthError(h.auth.authenticate(undefined), 'AUTHENTICATION_REQUIRED');
          await expectAuthError(h.auth.authenticate(''), 'AUTHENTICATION_REQUIRED');
          await expectAuthError(h.auth.authenticate('eyJhbGciOiJub25lIn0.e30.'), 'TOKEN_INVALID');
          await expectAuthError(h.auth.authenticate(login.refreshToken), 'TOKEN_INVALID');
          h.clock.advance(901);
          await expectAuthError(h.auth.authenticate(login.accessToken), 'TOKEN_EXPIRED');
        });
      });
    },
  );
}
