/**
 * Registration over the real DynamoDB + S3 adapters: CSR and server-key paths, uniqueness under
 * concurrency (the store's conditional create is the truth), PII encrypted at rest, and the
 * ordering guarantees (no half users; a notification failure never fails a registration).
 */
import { X509Certificate } from 'node:crypto';
import { createCertificateSigningRequest, generateKeyPair } from '@city/client-cert';
import { describe, expect, it } from 'vitest';
import {
  createCrypto,
  createHarness,
  expectAuthError,
  loginWithSignature,
  newUserBody,
  useEngine,
} from './support/auth-harness.js';
import { createMemoryStores } from './support/memory-stores.js';
import { realEngines } from './support/store-engines.js';

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('register', () => {
        it('issues the certificate from a device CSR and returns no private key', async () => {
          const h = engine.harness();
          const key = await generateKeyPair('ml-dsa-65');
          const csr = await createCertificateSigningRequest({ privateKeyPem: key.privateKeyPem });
          const body = newUserBody({ csr, key_algorithm: undefined });
          delete body.key_algorithm;
          const reg = await h.auth.register(body);
          expect(reg.privateKeyPem).toBeUndefined();
          expect(
            new X509Certificate(reg.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }),
          ).toBe(key.publicKeyPem);
          const login = await loginWithSignature(h.auth, {
            identifier: reg.uuid,
            deviceId: reg.deviceId,
            privateKeyPem: key.privateKeyPem,
          });
          expect(login.user.username).toBe(body.username);
          const blobs = await h.stores.certificates.listByUser(reg.uuid);
          expect(blobs).toHaveLength(1);
          expect((await h.stores.certificates.get(blobs[0] as string))?.pem).toBe(reg.certificatePem);
        });

        it('refuses a malformed CSR and unsupported algorithms without creating anything', async () => {
          const h = engine.harness();
          const body = newUserBody({
            csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAAA\n-----END CERTIFICATE REQUEST-----\n',
          });
          delete body.key_algorithm;
          const e = await expectAuthError(h.auth.register(body), 'CERTIFICATE_REQUEST_INVALID');
          expect(e.fields?.[0]?.field).toBe('csr');
          expect(await h.stores.users.getByUsernameKey(String(body.username))).toBeUndefined();
          const restricted = engine.harness({ allowedCertificateAlgorithms: ['ml-dsa-65'] });
          await expectAuthError(
            restricted.auth.register(newUserBody({ key_algorithm: 'ed25519' })),
            'KEY_ALGORITHM_UNSUPPORTED',
          );
        });

        it('refuses taken usernames, emails (any case) and My Numbers', async () => {
          const h = engine.harness();
          const first = newUserBody({ mynumber: '945807302153' });
          await h.auth.register(first);
          await expectAuthError(
            h.auth.register(newUserBody({ username: String(first.username).toUpperCase() })),
            'USERNAME_TAKEN',
          );
          await expectAuthError(
            h.auth.register(newUserBody({ email: String(first.email).toUpperCase() })),
            'EMAIL_TAKEN',
          );
          await expectAuthError(
            h.auth.register(newUserBody({ mynumber: '9458-0730-2153' })),
            'MYNUMBER_TAKEN',
          );
        });

        it('20 concurrent registrations of one username produce exactly one user', async () => {
          const h = engine.harness();
          const username = `race.${Date.now().toString(36)}`;
          const results = await Promise.allSettled(
            Array.from({ length: 20 }, () => h.auth.register(newUserBody({ username }))),
          );
          const ok = results.filter((r) => r.status === 'fulfilled');
          expect(ok).toHaveLength(1);
          for (const r of results)
            if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('USERNAME_TAKEN');
          const winner = (ok[0] as PromiseFulfilledResult<{ uuid: string }>).value.uuid;
          expect((await h.stores.users.getByUsernameKey(username))?.uuid).toBe(winner);
        });

        it('stores PII only encrypted, bound to the record, with blind indexes for lookups', async () => {
          const h = engine.harness();
          const body = newUserBody({ mynumber: '736819303645' });
          const reg = await h.auth.register(body);
          const user = await h.stores.users.getByUuid(reg.uuid);
          const raw = JSON.stringify(user);
          for (const secret of [
            String(body.email),
            '736819303645',
            '+819012345678',
            String(body.address),
            '1990-04-01',
            '山田',
          ]) {
            expect(raw).not.toContain(secret);
          }
          expect(Object.keys(user?.encrypted ?? {}).sort()).toEqual([
            'address',
            'birth_date',
            'email',
            'mynumber',
            'name',
            'phone',
          ]);
          expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
          expect(user?.roles).toEqual(['user']);
          // Swapping a ciphertext into another record fails (AAD binds it to uuid + attribute).
          const other = await h.auth.register(newUserBody());
          const otherUser = await h.stores.users.getByUuid(other.uuid);
          expect(() =>
            h.crypto.fieldCipher.decrypt(String(user?.encrypted.email), {
              table: 'users',
              recordKey: String(otherUser?.uuid),
              attribute: 'email',
            }),
          ).toThrow();
        });

        it('validation errors name every bad field and write nothing', async () => {
          const h = engine.harness();
          const e = await expectAuthError(
            h.auth.register({ username: { $gt: '' }, email: 'x', password: 'short', admin: true }),
            'VALIDATION_FAILED',
          );
          expect(e.fields?.map((f) => `${f.field}:${f.code}`).sort()).toEqual([
            'admin:UNKNOWN_FIELD',
            'email:INVALID_FORMAT',
            'password:PASSWORD_TOO_SHORT',
            'username:INVALID_TYPE',
          ]);
        });

        it('a failing notifier never fails the registration; the audit entry is still written', async () => {
          const stores = createMemoryStores();
          stores.failNotifications = true;
          const h = createHarness(stores, await createCrypto());
          const reg = await h.auth.register(newUserBody());
          expect(reg.uuid).toMatch(/^[0-9a-f-]{36}$/);
          expect(h.internalErrors.map((e) => e.where)).toEqual(['notify:registration']);
          expect(stores.auditEvents.map((e) => e.type)).toEqual(['registration', 'recovery_codes_generated']);
        });

        it('a user create that loses leaves no active device and no certificate body behind', async () => {
          const stores = createMemoryStores();
          const created: { userUuid: string; deviceId: string }[] = [];
          const create = stores.devices.create.bind(stores.devices);
          Object.assign(stores.devices, {
            create: async (device: Parameters<typeof create>[0]) => {
              created.push({ userUuid: device.userUuid, deviceId: device.deviceId });
              return create(device);
            },
          });
          const h = createHarness(stores, await createCrypto());
          const body = newUserBody();
          const winner = await h.auth.register(body);
          await expectAuthError(h.auth.register(newUserBody({ email: body.email })), 'EMAIL_TAKEN');
          expect(created).toHaveLength(2);
          const loser = created.find((d) => d.userUuid !== winner.uuid);
          if (loser === undefined) throw new Error('no losing device');
          expect(await stores.users.getByUuid(loser.userUuid)).toBeUndefined();
          expect((await stores.devices.get(loser.userUuid, loser.deviceId))?.status).toBe('revoked');
          expect(await stores.certificates.listByUser(loser.userUuid)).toEqual([]);
          expect(await stores.certificates.listByUser(winner.uuid)).toHaveLength(1);
        });
      });
    },
  );
}
