/**
 * The whole registration story end to end on every storage engine: register (server
 * key), login with a signature proof, pairing token, second device from a CSR, login from it,
 * revoke the first device → its login, refresh and access fail while the second stays logged in,
 * refresh rotation, reuse detection, logout.
 */
import { X509Certificate } from 'node:crypto';
import { createCertificateSigningRequest, generateKeyPair, signChallenge } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Crypto,
  createCrypto,
  createHarness,
  expectAuthError,
  type Harness,
  loginWithSignature,
  newUserBody,
  PASSWORD,
  refreshWithProof,
} from './support/auth-harness.js';
import { memoryEngine, type OpenedStores, realEngines } from './support/store-engines.js';

const crypto: Crypto = await createCrypto();

for (const engine of [memoryEngine, ...realEngines]) {
  describe.skipIf(engine.skipReason !== undefined)(
    `registration story on ${engine.name}${engine.skipReason ? ` (${engine.skipReason})` : ''}`,
    () => {
      let opened: OpenedStores;
      let h: Harness;
      beforeAll(async () => {
        const clock = { now: () => h?.clock.now() ?? Date.now() };
        opened = await engine.open(clock);
        h = createHarness(opened.stores, crypto);
      });
      afterAll(async () => {
        await opened?.close();
      });

      it('runs register → login → pair → second device → revoke first → refresh/reuse → logout', async () => {
        const { auth } = h;
        // 1. Register with a server-generated ML-DSA-65 key (the default).
        const body = newUserBody({ key_algorithm: undefined, mynumber: '983205673214' });
        delete body.key_algorithm;
        const reg = await auth.register(body, { ip: '192.0.2.1' });
        expect(reg.algorithm).toBe('ml-dsa-65');
        expect(reg.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
        expect(Buffer.from(reg.certificateBase64, 'base64').toString('utf8')).toBe(reg.certificatePem);
        // Independent oracle: OpenSSL parses and verifies the certificate with the CA key.
        const x509 = new X509Certificate(reg.certificatePem);
        expect(x509.verify(new X509Certificate(crypto.ca.certificatePem).publicKey)).toBe(true);
        expect(x509.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(reg.fingerprint);
        expect(x509.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(reg.serialNumber.replace(/^0+/, ''));
        expect(reg.qrPayload).toContain(reg.uuid);
        expect(reg.qrPayload).not.toContain(PASSWORD);
        expect(reg.qrPayload).not.toContain('PRIVATE');

        // 2. Login with the signature proof.
        const login1 = await loginWithSignature(auth, {
          identifier: String(body.username),
          deviceId: reg.deviceId,
          privateKeyPem: reg.privateKeyPem as string,
        });
        expect(login1.user).toMatchObject({ uuid: reg.uuid, roles: ['user'], email: String(body.email) });
        expect(login1.expiresIn).toBe(900);
        const p1 = await auth.authenticate(login1.accessToken);
        expect(p1).toMatchObject({ userUuid: reg.uuid, deviceId: reg.deviceId, sessionId: login1.sessionId });
        const me = await auth.me(p1);
        expect(me).toMatchObject({
          phone: '+819012345678',
          mynumberLast4: '3214',
          initialHarmonyToken: 100,
          name: '山田 太郎',
        });

        // 3. Pairing token from device 1; device 2 registers with its own CSR (key never leaves it).
        const pairing = await auth.requestPairingToken(p1);
        expect(pairing.qrPayload).toContain(pairing.token);
        expect(pairing.qrPayload).not.toContain(PASSWORD);
        const key2 = await generateKeyPair('ecdsa-p256');
        const csr = await createCertificateSigningRequest({ privateKeyPem: key2.privateKeyPem });
        const dev2 = await auth.registerDeviceWithPairingToken({
          qr_code: pairing.qrPayload,
          username: body.username,
          password: PASSWORD,
          csr,
          device_label: 'phone',
        });
        expect(dev2.privateKeyPem).toBeUndefined();
        expect(dev2).toMatchObject({
          uuid: reg.uuid,
          pairedFromDeviceId: reg.deviceId,
          algorithm: 'ecdsa-p256',
        });
        expect(dev2.deviceId).not.toBe(reg.deviceId);

        // 4. Device 2 logs in with its own key: its own session (per-device sessions).
        const login2 = await loginWithSignature(auth, {
          identifier: String(body.email),
          deviceId: dev2.deviceId,
          privateKeyPem: key2.privateKeyPem,
        });
        expect(login2.sessionId).not.toBe(login1.sessionId);
        const p2 = await auth.authenticate(login2.accessToken);
        expect(p2.deviceId).toBe(dev2.deviceId);
        const devices = await auth.listDevices(p2);
        expect(devices.map((d) => d.deviceId).sort()).toEqual([reg.deviceId, dev2.deviceId].sort());
        expect(devices.find((d) => d.current)?.deviceId).toBe(dev2.deviceId);

        // 5. Revoke device 1 from device 2.
        const revoked = await auth.revokeDevice(p2, reg.deviceId);
        expect(revoked.status).toBe('revoked');
        await expectAuthError(
          loginWithSignature(auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: reg.privateKeyPem as string,
          }),
          'INVALID_CREDENTIALS',
        );
        await expectAuthError(
          refreshWithProof(auth, login1.refreshToken, reg.privateKeyPem as string),
          'TOKEN_REVOKED',
        );
        await expectAuthError(auth.authenticate(login1.accessToken), 'TOKEN_REVOKED');
        const crl = await auth.crlPem();
        expect(crl).toMatch(/^-----BEGIN X509 CRL-----/);
        expect(await h.stores.certificateRevocations.isRevoked(reg.serialNumber)).toBe(true);

        // 6. Device 2 is still logged in; its refresh rotates.
        expect((await auth.authenticate(login2.accessToken)).deviceId).toBe(dev2.deviceId);
        h.clock.advance(60);
        const r1 = await refreshWithProof(auth, login2.refreshToken, key2.privateKeyPem);
        expect(r1.refreshToken).not.toBe(login2.refreshToken);
        expect(r1.sessionId).toBe(login2.sessionId);
        const r2 = await refreshWithProof(auth, r1.refreshToken, key2.privateKeyPem);
        // 7. The first refresh token again, well outside the grace window: reuse → family revoked.
        h.clock.advance(60);
        await expectAuthError(
          refreshWithProof(auth, login2.refreshToken, key2.privateKeyPem),
          'REFRESH_TOKEN_REUSED',
        );
        await expectAuthError(refreshWithProof(auth, r2.refreshToken, key2.privateKeyPem), 'TOKEN_REVOKED');
        await expectAuthError(auth.authenticate(r2.accessToken), 'TOKEN_REVOKED');

        // 8. Log in again on device 2 and log out.
        const login3 = await loginWithSignature(auth, {
          identifier: String(body.username),
          deviceId: dev2.deviceId,
          privateKeyPem: key2.privateKeyPem,
        });
        const p3 = await auth.authenticate(login3.accessToken);
        await auth.logout(p3);
        await expectAuthError(auth.authenticate(login3.accessToken), 'TOKEN_REVOKED');
        await expectAuthError(
          refreshWithProof(auth, login3.refreshToken, key2.privateKeyPem),
          'TOKEN_REVOKED',
        );

        // The audit trail has every step.
        const types = new Set(
          (await h.stores.audit.list({ userUuid: reg.uuid, limit: 100 })).items.map((e) => e.type),
        );
        for (const t of [
          'registration',
          'login_success',
          'login_failure',
          'pairing_token_issued',
          'device_added',
          'device_revoked',
          'token_refresh',
          'token_reuse',
          'security_alert',
          'logout',
        ]) {
          expect(types, t).toContain(t);
        }
        // Signing with the challenge of another deployment never verifies (domain separation).
        const challenge = await auth.createLoginChallenge();
        expect(challenge.challenge).toContain('city-test');
        expect(signChallenge(key2.privateKeyPem, challenge.challenge)).toBeTypeOf('string');
      });
    },
  );
}
