/**
 * The contract every `Stores` adapter must meet (see `@city/ports`, ports.ts): one suite, run
 * against every engine (DynamoDB on dynalite and DynamoDB Local, MongoDB, ...).
 *
 * Ids are random per test so one engine instance can be shared by every test of a file (and
 * even by several runs against a persistent server). Clocks are passed as `now`, never slept.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AuditEvent,
  ChallengeRecord,
  DeviceCertificateUpdate,
  DeviceRecord,
  PairingTokenRecord,
  RecoveryCodeSetRecord,
  RefreshFamilyRecord,
  RevokedCertificateRecord,
  Stores,
  UserRecord,
} from '@city/ports';
import { InvalidCursorError } from '@city/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What an engine's setup hands to the suite. */
export interface StoreContractFixture {
  readonly stores: Stores;
  cleanup(): Promise<void>;
}

const CONCURRENCY = 50;
/** Cursors no listing hands out: not base64url JSON, a JSON scalar, objects of the wrong shape. */
const FORGED_CURSORS: readonly string[] = [
  'not a cursor!',
  Buffer.from('"x"').toString('base64url'),
  Buffer.from('{"after":1}').toString('base64url'),
  Buffer.from('{"uuid":{"S":"x"},"extra":"y"}').toString('base64url'),
  Buffer.from('[{"$gt":""}]').toString('base64url'),
];
/** Racing renewals of one device (each also claims and releases a fingerprint). */
const RENEWAL_CONCURRENCY = 20;
const HOUR = 3_600_000;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A fresh user with unique keys; `overrides` replace any field. */
export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const uuid = randomUUID();
  const now = Date.now();
  return {
    uuid,
    username: `User_${uuid.slice(0, 8)}`,
    usernameKey: `user_${uuid}`,
    emailIndex: hex(32),
    mynumberIndex: hex(32),
    passwordHash:
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
    roles: ['user'],
    status: 'active',
    encrypted: { email: 'v1.key.ciphertext-email', name: 'v1.key.ciphertext-name' },
    initialHarmonyToken: 100,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...overrides,
  };
}

/** A fresh active device with a unique fingerprint. */
export function makeDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  const userUuid = overrides.userUuid ?? randomUUID();
  const deviceId = overrides.deviceId ?? randomUUID();
  const serialNumber = hex(16);
  return {
    deviceId,
    userUuid,
    fingerprint: hex(32),
    serialNumber,
    certificatePem: `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
    algorithm: 'ml-dsa-65',
    certificateKey: `certificates/${userUuid}/${deviceId}/${serialNumber}.pem`,
    label: 'laptop',
    status: 'active',
    createdAt: Date.now(),
    notAfter: Date.now() + 365 * 24 * HOUR,
    ...overrides,
  };
}

/** A renewal of `device`'s current certificate to a fresh one (unique fingerprint and serial). */
function renewalOf(device: DeviceRecord): DeviceCertificateUpdate {
  const serialNumber = hex(16);
  return {
    expectedSerialNumber: device.serialNumber,
    fingerprint: hex(32),
    serialNumber,
    certificatePem: `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
    certificateKey: `certificates/${device.userUuid}/${device.deviceId}/${serialNumber}.pem`,
    notAfter: device.notAfter + 1_000,
  };
}

function makePairingToken(overrides: Partial<PairingTokenRecord> = {}): PairingTokenRecord {
  const now = Date.now();
  return {
    tokenHash: hex(32),
    userUuid: randomUUID(),
    parentDeviceId: randomUUID(),
    createdAt: now,
    expiresAt: now + 10 * 60_000,
    ...overrides,
  };
}

function makeChallenge(overrides: Partial<ChallengeRecord> = {}): ChallengeRecord {
  const now = Date.now();
  return {
    challengeId: randomUUID(),
    nonce: randomBytes(32).toString('base64url'),
    userUuid: randomUUID(),
    createdAt: now,
    expiresAt: now + 5 * 60_000,
    ...overrides,
  };
}

function makeFamily(overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  const now = Date.now();
  return {
    familyId: randomUUID(),
    userUuid: randomUUID(),
    deviceId: randomUUID(),
    generation: 0,
    currentJti: randomUUID(),
    currentAccessJti: randomUUID(),
    rotatedAt: now,
    status: 'active',
    createdAt: now,
    expiresAt: now + 30 * 24 * HOUR,
    ...overrides,
  };
}

/** Asserts that `promise` rejects with a `ConflictError` (code `CONFLICT`) naming `field`. */
export async function expectConflict(promise: Promise<unknown>, field?: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a ConflictError').toBeInstanceOf(Error);
  expect((error as { code?: unknown }).code).toBe('CONFLICT');
  if (field !== undefined) expect((error as { field?: unknown }).field).toBe(field);
}

/** Asserts that `promise` rejects with a `NotFoundError` (code `NOT_FOUND`). */
export async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a NotFoundError').toBeInstanceOf(Error);
  expect((error as { code?: unknown }).code).toBe('NOT_FOUND');
}

/**
 * Registers the contract tests for every port of `Stores` under `describe(engineName)`.
 * `setup` runs once (beforeAll); `cleanup` once (afterAll).
 *
 * @example
 * ```ts
 * defineStoreContract('dynamodb on dynalite', async () => {
 *   const engine = await startDynalite();
 *   const stores = createDynamoStores({ ... });
 *   return { stores, cleanup: async () => { await stores.close(); await engine.stop(); } };
 * });
 * ```
 */
export function defineStoreContract(engineName: string, setup: () => Promise<StoreContractFixture>): void {
  describe(`store contract: ${engineName}`, () => {
    let fixture: StoreContractFixture | undefined;
    const stores = (): Stores => {
      if (fixture === undefined) throw new Error(`setup for ${engineName} did not complete`);
      return fixture.stores;
    };

    beforeAll(async () => {
      fixture = await setup();
    }, 120_000);

    afterAll(async () => {
      await fixture?.cleanup();
    }, 60_000);

    describe('users', () => {
      it('ping answers', async () => {
        await expect(stores().users.ping()).resolves.toBeUndefined();
      });

      it('creates a user and reads it back by uuid, username key, email index and mynumber index', async () => {
        const user = makeUser();
        await stores().users.create(user);
        expect(await stores().users.getByUuid(user.uuid)).toEqual(user);
        expect(await stores().users.getByUsernameKey(user.usernameKey)).toEqual(user);
        expect(await stores().users.getByEmailIndex(user.emailIndex)).toEqual(user);
        expect(await stores().users.getByMynumberIndex(user.mynumberIndex!)).toEqual(user);
      });

      it('creates a user without a mynumber index', async () => {
        const { mynumberIndex: _omitted, ...user } = makeUser();
        await stores().users.create(user);
        const stored = await stores().users.getByUuid(user.uuid);
        expect(stored).toEqual(user);
        expect(stored?.mynumberIndex).toBeUndefined();
        // two users without a mynumber must not clash with each other
        const { mynumberIndex: _alsoOmitted, ...other } = makeUser();
        await expect(stores().users.create(other)).resolves.toBeUndefined();
      });

      it('answers undefined for unknown keys', async () => {
        expect(await stores().users.getByUuid(randomUUID())).toBeUndefined();
        expect(await stores().users.getByUsernameKey(`nobody_${randomUUID()}`)).toBeUndefined();
        expect(await stores().users.getByEmailIndex(hex(32))).toBeUndefined();
        expect(await stores().users.getByMynumberIndex(hex(32))).toBeUndefined();
      });

      it('rejects a taken username with ConflictError(username)', async () => {
        const user = makeUser();
        await stores().users.create(user);
        await expectConflict(stores().users.create(makeUser({ usernameKey: user.usernameKey })), 'username');
      });

      it('rejects a taken email with ConflictError(email) and frees the username it claimed', async () => {
        const user = makeUser();
        await stores().users.create(user);
        const clash = makeUser({ emailIndex: user.emailIndex });
        await expectConflict(stores().users.create(clash), 'email');
        expect(await stores().users.getByUuid(clash.uuid)).toBeUndefined();
        expect(await stores().users.getByUsernameKey(clash.usernameKey)).toBeUndefined();
        // the failed attempt must not keep the username or mynumber reserved
        await expect(
          stores().users.create(
            makeUser({ usernameKey: clash.usernameKey, mynumberIndex: clash.mynumberIndex }),
          ),
        ).resolves.toBeUndefined();
      });

      it('rejects a taken mynumber with ConflictError(mynumber) and frees the other claims', async () => {
        const user = makeUser();
        await stores().users.create(user);
        const clash = makeUser({ mynumberIndex: user.mynumberIndex });
        await expectConflict(stores().users.create(clash), 'mynumber');
        expect(await stores().users.getByEmailIndex(clash.emailIndex)).toBeUndefined();
        await expect(
          stores().users.create(makeUser({ usernameKey: clash.usernameKey, emailIndex: clash.emailIndex })),
        ).resolves.toBeUndefined();
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent creates of one username win`, async () => {
        const usernameKey = `race_${randomUUID()}`;
        const attempts = Array.from({ length: CONCURRENCY }, () => makeUser({ usernameKey }));
        const results = await Promise.allSettled(attempts.map((u) => stores().users.create(u)));
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') {
            expect((r.reason as { code?: unknown }).code).toBe('CONFLICT');
            expect((r.reason as { field?: unknown }).field).toBe('username');
          }
        }
        const stored = await stores().users.getByUsernameKey(usernameKey);
        const winner = attempts[results.findIndex((r) => r.status === 'fulfilled')];
        expect(stored).toEqual(winner);
      });

      it('updates with the expected version and bumps it', async () => {
        const user = makeUser();
        await stores().users.create(user);
        const now = user.createdAt + 5_000;
        const updated = await stores().users.update(
          user.uuid,
          { roles: ['user', 'admin'], status: 'disabled', passwordHash: 'sha256$00$11' },
          user.version,
          now,
        );
        expect(updated).toEqual({
          ...user,
          roles: ['user', 'admin'],
          status: 'disabled',
          passwordHash: 'sha256$00$11',
          version: user.version + 1,
          updatedAt: now,
        });
        expect(await stores().users.getByUuid(user.uuid)).toEqual(updated);
        const again = await stores().users.update(
          user.uuid,
          { encrypted: { email: 'v1.key.other' } },
          updated.version,
          now + 1,
        );
        expect(again.encrypted).toEqual({ email: 'v1.key.other' });
        expect(again.version).toBe(user.version + 2);
      });

      it('rejects a stale version with ConflictError(version)', async () => {
        const user = makeUser();
        await stores().users.create(user);
        await stores().users.update(user.uuid, { status: 'disabled' }, user.version, Date.now());
        await expectConflict(
          stores().users.update(user.uuid, { status: 'active' }, user.version, Date.now()),
          'version',
        );
        expect((await stores().users.getByUuid(user.uuid))?.status).toBe('disabled');
      });

      it('rejects an update of an unknown user with NotFoundError', async () => {
        await expectNotFound(stores().users.update(randomUUID(), { status: 'disabled' }, 1, Date.now()));
      });

      it('lists users page by page with a cursor', async () => {
        const created = [makeUser(), makeUser(), makeUser()];
        for (const u of created) await stores().users.create(u);
        const seen = new Map<string, UserRecord>();
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await stores().users.list({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          for (const item of page.items) {
            expect(seen.has(item.uuid), `user ${item.uuid} listed twice`).toBe(false);
            seen.set(item.uuid, item);
          }
          cursor = page.cursor;
          pages += 1;
        } while (cursor !== undefined && pages < 10_000);
        for (const u of created) expect(seen.get(u.uuid)).toEqual(u);
      });

      it('refuses a cursor it did not hand out with InvalidCursorError', async () => {
        for (const cursor of FORGED_CURSORS) {
          await expect(stores().users.list({ limit: 2, cursor }), cursor).rejects.toBeInstanceOf(
            InvalidCursorError,
          );
        }
      });
    });

    describe('devices', () => {
      it('creates a device and reads it by key, fingerprint and user', async () => {
        const device = makeDevice();
        const second = makeDevice({ userUuid: device.userUuid, label: undefined });
        await stores().devices.create(device);
        await stores().devices.create(second);
        expect(await stores().devices.get(device.userUuid, device.deviceId)).toEqual(device);
        expect(await stores().devices.getByFingerprint(device.fingerprint)).toEqual(device);
        const listed = await stores().devices.listByUser(device.userUuid);
        expect([...listed].sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual(
          [device, second].sort((a, b) => a.deviceId.localeCompare(b.deviceId)),
        );
      });

      it('answers undefined / empty for unknown devices', async () => {
        expect(await stores().devices.get(randomUUID(), randomUUID())).toBeUndefined();
        expect(await stores().devices.getByFingerprint(hex(32))).toBeUndefined();
        expect(await stores().devices.listByUser(randomUUID())).toEqual([]);
      });

      it('rejects a registered fingerprint with ConflictError(fingerprint), even for another user', async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        await expectConflict(
          stores().devices.create(makeDevice({ fingerprint: device.fingerprint })),
          'fingerprint',
        );
        await expectConflict(
          stores().devices.create(makeDevice({ userUuid: device.userUuid, fingerprint: device.fingerprint })),
          'fingerprint',
        );
        expect(await stores().devices.listByUser(device.userUuid)).toEqual([device]);
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent registrations of one fingerprint win`, async () => {
        const fingerprint = hex(32);
        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENCY }, () => stores().devices.create(makeDevice({ fingerprint }))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as { field?: unknown }).field).toBe('fingerprint');
        }
      });

      it('revokes an active device once, then NotFoundError', async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        const at = device.createdAt + 1_000;
        const revoked = await stores().devices.revoke(device.userUuid, device.deviceId, at);
        expect(revoked).toEqual({ ...device, status: 'revoked', revokedAt: at });
        expect(await stores().devices.get(device.userUuid, device.deviceId)).toEqual(revoked);
        await expectNotFound(stores().devices.revoke(device.userUuid, device.deviceId, at + 1));
        await expectNotFound(stores().devices.revoke(device.userUuid, randomUUID(), at));
        // a revoked certificate stays registered: it cannot be enrolled again
        expect((await stores().devices.getByFingerprint(device.fingerprint))?.status).toBe('revoked');
        await expectConflict(
          stores().devices.create(makeDevice({ fingerprint: device.fingerprint })),
          'fingerprint',
        );
      });

      it('replaces the certificate of an active device and moves the fingerprint', async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        const { expectedSerialNumber, ...update } = renewalOf(device);
        const renewed = await stores().devices.replaceCertificate(device.userUuid, device.deviceId, {
          ...update,
          expectedSerialNumber,
        });
        expect(expectedSerialNumber).toBe(device.serialNumber);
        expect(renewed).toEqual({ ...device, ...update });
        expect(await stores().devices.get(device.userUuid, device.deviceId)).toEqual(renewed);
        expect(await stores().devices.getByFingerprint(update.fingerprint)).toEqual(renewed);
        expect(await stores().devices.getByFingerprint(device.fingerprint)).toBeUndefined();
      });

      it('refuses a renewal to a fingerprint registered elsewhere with ConflictError(fingerprint)', async () => {
        const device = makeDevice();
        const other = makeDevice();
        await stores().devices.create(device);
        await stores().devices.create(other);
        await expectConflict(
          stores().devices.replaceCertificate(device.userUuid, device.deviceId, {
            expectedSerialNumber: device.serialNumber,
            fingerprint: other.fingerprint,
            serialNumber: hex(16),
            certificatePem: 'x',
            certificateKey: 'k',
            notAfter: device.notAfter,
          }),
          'fingerprint',
        );
        expect(await stores().devices.get(device.userUuid, device.deviceId)).toEqual(device);
        expect(await stores().devices.getByFingerprint(other.fingerprint)).toEqual(other);
      });

      it('refuses to renew a revoked or unknown device with NotFoundError', async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        await stores().devices.revoke(device.userUuid, device.deviceId, Date.now());
        const update = renewalOf(device);
        await expectNotFound(stores().devices.replaceCertificate(device.userUuid, device.deviceId, update));
        await expectNotFound(stores().devices.replaceCertificate(randomUUID(), randomUUID(), update));
        // the refused renewal must not leave its fingerprint reserved
        await expect(
          stores().devices.create(makeDevice({ fingerprint: update.fingerprint })),
        ).resolves.toBeUndefined();
      });

      it('refuses a renewal from a stale serial number with ConflictError(serialNumber), changing nothing', async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        const first = renewalOf(device);
        const renewed = await stores().devices.replaceCertificate(device.userUuid, device.deviceId, first);
        // a second renewal that still starts from the original certificate
        const stale = renewalOf(device);
        await expectConflict(
          stores().devices.replaceCertificate(device.userUuid, device.deviceId, stale),
          'serialNumber',
        );
        await expectConflict(
          stores().devices.replaceCertificate(device.userUuid, device.deviceId, {
            ...renewalOf(device),
            expectedSerialNumber: hex(16),
          }),
          'serialNumber',
        );
        expect(await stores().devices.get(device.userUuid, device.deviceId)).toEqual(renewed);
        // the refused renewal must not leave its fingerprint reserved
        expect(await stores().devices.getByFingerprint(stale.fingerprint)).toBeUndefined();
        await expect(
          stores().devices.create(makeDevice({ fingerprint: stale.fingerprint })),
        ).resolves.toBeUndefined();
        // starting from the current serial works
        const next = renewalOf(renewed);
        const { expectedSerialNumber: _expected, ...written } = next;
        expect(await stores().devices.replaceCertificate(device.userUuid, device.deviceId, next)).toEqual({
          ...device,
          ...written,
        });
      });

      it(`lets exactly one of ${RENEWAL_CONCURRENCY} concurrent renewals from one serial win, the rest ConflictError(serialNumber)`, async () => {
        const device = makeDevice();
        await stores().devices.create(device);
        const updates = Array.from({ length: RENEWAL_CONCURRENCY }, () => renewalOf(device));
        const results = await Promise.allSettled(
          updates.map((u) => stores().devices.replaceCertificate(device.userUuid, device.deviceId, u)),
        );
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ record: r.value, i }] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') {
            expect((r.reason as { code?: unknown }).code).toBe('CONFLICT');
            expect((r.reason as { field?: unknown }).field).toBe('serialNumber');
          }
        }
        const { expectedSerialNumber: _expected, ...written } =
          updates[winners[0]?.i ?? -1] ?? renewalOf(device);
        const stored = await stores().devices.get(device.userUuid, device.deviceId);
        expect(stored).toEqual({ ...device, ...written });
        expect(winners[0]?.record).toEqual(stored);
        // only the winner's fingerprint is registered; every loser's is free again
        for (const [i, u] of updates.entries()) {
          const owner = await stores().devices.getByFingerprint(u.fingerprint);
          expect(owner).toEqual(i === winners[0]?.i ? stored : undefined);
        }
      });
    });

    describe('pairing tokens', () => {
      it('keeps the device label a token was issued with, and its absence', async () => {
        const labelled = makePairingToken({ deviceLabel: 'Kitchen tablet 台所' });
        await stores().pairingTokens.create(labelled);
        expect(await stores().pairingTokens.get(labelled.tokenHash)).toEqual(labelled);
        const now = labelled.createdAt + 1;
        expect(await stores().pairingTokens.consume(labelled.tokenHash, now)).toEqual({
          ok: true,
          record: labelled,
        });
        const bare = makePairingToken();
        await stores().pairingTokens.create(bare);
        const read = await stores().pairingTokens.get(bare.tokenHash);
        expect(read).toEqual(bare);
        expect(read).not.toHaveProperty('deviceLabel');
      });

      it('creates and reads a token without consuming it', async () => {
        const token = makePairingToken();
        await stores().pairingTokens.create(token);
        expect(await stores().pairingTokens.get(token.tokenHash)).toEqual(token);
        expect(await stores().pairingTokens.get(token.tokenHash)).toEqual(token);
        expect(await stores().pairingTokens.get(hex(32))).toBeUndefined();
      });

      it('refuses a second token with the same hash with ConflictError', async () => {
        const token = makePairingToken();
        await stores().pairingTokens.create(token);
        await expectConflict(stores().pairingTokens.create({ ...token, userUuid: randomUUID() }));
        expect(await stores().pairingTokens.get(token.tokenHash)).toEqual(token);
      });

      it('consumes once, then answers used', async () => {
        const token = makePairingToken();
        await stores().pairingTokens.create(token);
        const now = token.createdAt + 1_000;
        expect(await stores().pairingTokens.consume(token.tokenHash, now)).toEqual({
          ok: true,
          record: token,
        });
        expect(await stores().pairingTokens.consume(token.tokenHash, now + 1)).toEqual({
          ok: false,
          reason: 'used',
        });
      });

      it('answers not_found for an unknown token', async () => {
        expect(await stores().pairingTokens.consume(hex(32), Date.now())).toEqual({
          ok: false,
          reason: 'not_found',
        });
      });

      it('answers expired after expiresAt, without consuming', async () => {
        const token = makePairingToken();
        await stores().pairingTokens.create(token);
        const late = token.expiresAt + 1;
        expect(await stores().pairingTokens.consume(token.tokenHash, late)).toEqual({
          ok: false,
          reason: 'expired',
        });
        expect(await stores().pairingTokens.consume(token.tokenHash, late + 60_000)).toEqual({
          ok: false,
          reason: 'expired',
        });
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent consumes of one token succeed (pairing race)`, async () => {
        const token = makePairingToken();
        await stores().pairingTokens.create(token);
        const now = token.createdAt + 1;
        const results = await Promise.all(
          Array.from({ length: CONCURRENCY }, () => stores().pairingTokens.consume(token.tokenHash, now)),
        );
        expect(results.filter((r) => r.ok)).toEqual([{ ok: true, record: token }]);
        expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'used')).toBe(true);
      });
    });

    describe('recovery codes', () => {
      const makeSet = (userUuid: string = randomUUID(), count = 10): RecoveryCodeSetRecord => ({
        userUuid,
        setId: randomUUID(),
        codeHashes: Array.from({ length: count }, () => randomBytes(32).toString('base64url')),
        usedCodeHashes: [],
        createdAt: Date.now(),
      });

      it('answers undefined for a user without a set, the set in order afterwards', async () => {
        const set = makeSet();
        expect(await stores().recoveryCodes.get(set.userUuid)).toBeUndefined();
        await stores().recoveryCodes.replace(set);
        expect(await stores().recoveryCodes.get(set.userUuid)).toEqual(set);
      });

      it('consumes a code once, then answers used; the set records the use', async () => {
        const set = makeSet();
        await stores().recoveryCodes.replace(set);
        const [first, second] = set.codeHashes as [string, string];
        const now = set.createdAt + 1_000;
        expect(await stores().recoveryCodes.consume(set.userUuid, first, now)).toEqual({
          ok: true,
          record: { ...set, usedCodeHashes: [first] },
        });
        expect(await stores().recoveryCodes.consume(set.userUuid, first, now + 1)).toEqual({
          ok: false,
          reason: 'used',
        });
        expect(await stores().recoveryCodes.consume(set.userUuid, second, now + 2)).toMatchObject({
          ok: true,
          record: { usedCodeHashes: [first, second] },
        });
        expect((await stores().recoveryCodes.get(set.userUuid))?.usedCodeHashes).toEqual([first, second]);
      });

      it('answers not_found for a hash outside the set, another user, or a user without codes', async () => {
        const set = makeSet();
        await stores().recoveryCodes.replace(set);
        const now = Date.now();
        const code = set.codeHashes[0] as string;
        expect(await stores().recoveryCodes.consume(set.userUuid, hex(32), now)).toEqual({
          ok: false,
          reason: 'not_found',
        });
        expect(await stores().recoveryCodes.consume(randomUUID(), code, now)).toEqual({
          ok: false,
          reason: 'not_found',
        });
        // A refused use changes nothing: the code still works for its owner.
        expect(await stores().recoveryCodes.consume(set.userUuid, code, now)).toMatchObject({ ok: true });
      });

      it('replacing the set invalidates every old code, used or not, and clears the used marks', async () => {
        const old = makeSet();
        await stores().recoveryCodes.replace(old);
        const [used, unused] = old.codeHashes as [string, string];
        await stores().recoveryCodes.consume(old.userUuid, used, Date.now());
        const next = makeSet(old.userUuid, 12);
        await stores().recoveryCodes.replace(next);
        expect(await stores().recoveryCodes.get(old.userUuid)).toEqual(next);
        for (const hash of [used, unused]) {
          expect(await stores().recoveryCodes.consume(old.userUuid, hash, Date.now())).toEqual({
            ok: false,
            reason: 'not_found',
          });
        }
        expect(
          await stores().recoveryCodes.consume(old.userUuid, next.codeHashes[0] as string, Date.now()),
        ).toMatchObject({ ok: true, record: { setId: next.setId } });
      });

      it('a set that reuses a hash of the old set starts unused (uses belong to a set)', async () => {
        const old = makeSet();
        await stores().recoveryCodes.replace(old);
        const hash = old.codeHashes[0] as string;
        await stores().recoveryCodes.consume(old.userUuid, hash, Date.now());
        const next = { ...makeSet(old.userUuid), codeHashes: [hash, hex(32)] };
        await stores().recoveryCodes.replace(next);
        expect((await stores().recoveryCodes.get(old.userUuid))?.usedCodeHashes).toEqual([]);
        expect(await stores().recoveryCodes.consume(old.userUuid, hash, Date.now())).toMatchObject({
          ok: true,
        });
      });

      it('remove deletes the set and is idempotent', async () => {
        const set = makeSet();
        await stores().recoveryCodes.replace(set);
        await stores().recoveryCodes.remove(set.userUuid);
        await stores().recoveryCodes.remove(set.userUuid);
        expect(await stores().recoveryCodes.get(set.userUuid)).toBeUndefined();
        expect(
          await stores().recoveryCodes.consume(set.userUuid, set.codeHashes[0] as string, Date.now()),
        ).toEqual({ ok: false, reason: 'not_found' });
      });

      it('refuses malformed sets with INVALID_ARGUMENT and writes nothing', async () => {
        const userUuid = randomUUID();
        const bad: unknown[] = [
          { ...makeSet(userUuid), codeHashes: [] },
          { ...makeSet(userUuid), codeHashes: ['a', 'a'] },
          { ...makeSet(userUuid), codeHashes: ['a', 42] },
          { ...makeSet(userUuid), codeHashes: Array.from({ length: 65 }, () => hex(8)) },
          { ...makeSet(userUuid), usedCodeHashes: ['a'] },
          { ...makeSet(userUuid), setId: '' },
          { ...makeSet(userUuid), createdAt: Number.NaN },
        ];
        for (const set of bad) {
          await expect(stores().recoveryCodes.replace(set as RecoveryCodeSetRecord)).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
          });
        }
        expect(await stores().recoveryCodes.get(userUuid)).toBeUndefined();
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent uses of one code succeed (recovery code replay race)`, async () => {
        const set = makeSet();
        await stores().recoveryCodes.replace(set);
        const code = set.codeHashes[3] as string;
        const now = set.createdAt + 1;
        const results = await Promise.all(
          Array.from({ length: CONCURRENCY }, () => stores().recoveryCodes.consume(set.userUuid, code, now)),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'used')).toBe(true);
        expect((await stores().recoveryCodes.get(set.userUuid))?.usedCodeHashes).toEqual([code]);
      });

      it('concurrent uses of different codes of one set all succeed and are all recorded', async () => {
        const set = makeSet();
        await stores().recoveryCodes.replace(set);
        const now = set.createdAt + 1;
        const results = await Promise.all(
          set.codeHashes.map((hash) => stores().recoveryCodes.consume(set.userUuid, hash, now)),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        expect((await stores().recoveryCodes.get(set.userUuid))?.usedCodeHashes).toEqual(set.codeHashes);
      });
    });

    describe('challenges', () => {
      it('consumes once, then answers used', async () => {
        const challenge = makeChallenge();
        await stores().challenges.create(challenge);
        const now = challenge.createdAt + 10;
        expect(await stores().challenges.consume(challenge.challengeId, now)).toEqual({
          ok: true,
          record: challenge,
        });
        expect(await stores().challenges.consume(challenge.challengeId, now)).toEqual({
          ok: false,
          reason: 'used',
        });
      });

      it('keeps a challenge without a user binding', async () => {
        const { userUuid: _unbound, ...challenge } = makeChallenge();
        await stores().challenges.create(challenge);
        const result = await stores().challenges.consume(challenge.challengeId, challenge.createdAt);
        expect(result).toEqual({ ok: true, record: challenge });
      });

      it('answers not_found and expired', async () => {
        expect(await stores().challenges.consume(randomUUID(), Date.now())).toEqual({
          ok: false,
          reason: 'not_found',
        });
        const challenge = makeChallenge();
        await stores().challenges.create(challenge);
        expect(await stores().challenges.consume(challenge.challengeId, challenge.expiresAt + 1)).toEqual({
          ok: false,
          reason: 'expired',
        });
      });

      it('refuses a duplicate challenge id with ConflictError', async () => {
        const challenge = makeChallenge();
        await stores().challenges.create(challenge);
        await expectConflict(stores().challenges.create({ ...challenge, nonce: 'other' }));
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent consumes of one challenge succeed`, async () => {
        const challenge = makeChallenge();
        await stores().challenges.create(challenge);
        const results = await Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            stores().challenges.consume(challenge.challengeId, challenge.createdAt + 1),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(CONCURRENCY - 1);
      });
    });

    describe('refresh token families', () => {
      it('creates, reads and lists families by user', async () => {
        const family = makeFamily();
        const second = makeFamily({ userUuid: family.userUuid, currentAccessJti: undefined });
        await stores().refreshTokens.create(family);
        await stores().refreshTokens.create(second);
        expect(await stores().refreshTokens.get(family.familyId)).toEqual(family);
        expect(await stores().refreshTokens.get(randomUUID())).toBeUndefined();
        const listed = await stores().refreshTokens.listByUser(family.userUuid);
        expect([...listed].sort((a, b) => a.familyId.localeCompare(b.familyId))).toEqual(
          [family, second].sort((a, b) => a.familyId.localeCompare(b.familyId)),
        );
        expect(await stores().refreshTokens.listByUser(randomUUID())).toEqual([]);
      });

      it('refuses a duplicate family id with ConflictError', async () => {
        const family = makeFamily();
        await stores().refreshTokens.create(family);
        await expectConflict(stores().refreshTokens.create({ ...family, userUuid: randomUUID() }));
        expect(await stores().refreshTokens.get(family.familyId)).toMatchObject({
          userUuid: family.userUuid,
        });
      });

      it('rotates at the expected generation and records the grace data', async () => {
        const family = makeFamily();
        await stores().refreshTokens.create(family);
        const rotation = {
          expectedGeneration: 0,
          generation: 1,
          currentJti: randomUUID(),
          currentAccessJti: randomUUID(),
          rotatedAt: family.rotatedAt + 60_000,
          graceSealed: 'sealed-successor-pair',
          graceUntil: family.rotatedAt + 90_000,
        };
        const rotated = await stores().refreshTokens.rotate(family.familyId, rotation);
        const { expectedGeneration: _e, ...written } = rotation;
        expect(rotated).toEqual({ ...family, ...written });
        expect(await stores().refreshTokens.get(family.familyId)).toEqual(rotated);

        // a rotation without grace data clears the previous generation's grace data
        const plain = await stores().refreshTokens.rotate(family.familyId, {
          expectedGeneration: 1,
          generation: 2,
          currentJti: randomUUID(),
          rotatedAt: rotation.rotatedAt + 60_000,
        });
        expect(plain.generation).toBe(2);
        expect(plain.graceSealed).toBeUndefined();
        expect(plain.graceUntil).toBeUndefined();
        expect(plain.currentAccessJti).toBeUndefined();
        expect(await stores().refreshTokens.get(family.familyId)).toEqual(plain);
      });

      it('refuses a stale generation with ConflictError(generation)', async () => {
        const family = makeFamily();
        await stores().refreshTokens.create(family);
        const step = { generation: 1, currentJti: randomUUID(), rotatedAt: Date.now() };
        await stores().refreshTokens.rotate(family.familyId, { ...step, expectedGeneration: 0 });
        await expectConflict(
          stores().refreshTokens.rotate(family.familyId, { ...step, expectedGeneration: 0 }),
          'generation',
        );
      });

      it('refuses to rotate an unknown family with NotFoundError', async () => {
        await expectNotFound(
          stores().refreshTokens.rotate(randomUUID(), {
            expectedGeneration: 0,
            generation: 1,
            currentJti: randomUUID(),
            rotatedAt: Date.now(),
          }),
        );
      });

      it('revokes idempotently and then refuses rotation with ConflictError(generation)', async () => {
        const family = makeFamily();
        await stores().refreshTokens.create(family);
        await stores().refreshTokens.revoke(family.familyId, 'logout', family.createdAt + 1);
        await expect(
          stores().refreshTokens.revoke(family.familyId, 'logout', family.createdAt + 2),
        ).resolves.toBeUndefined();
        const stored = await stores().refreshTokens.get(family.familyId);
        expect(stored?.status).toBe('revoked');
        expect(stored?.revokedReason).toBe('logout');
        await expectConflict(
          stores().refreshTokens.rotate(family.familyId, {
            expectedGeneration: 0,
            generation: 1,
            currentJti: randomUUID(),
            rotatedAt: Date.now(),
          }),
          'generation',
        );
        await expectNotFound(stores().refreshTokens.revoke(randomUUID(), 'logout', Date.now()));
      });

      it(`lets exactly one of ${CONCURRENCY} concurrent rotations of one generation succeed`, async () => {
        const family = makeFamily();
        await stores().refreshTokens.create(family);
        const results = await Promise.allSettled(
          Array.from({ length: CONCURRENCY }, () =>
            stores().refreshTokens.rotate(family.familyId, {
              expectedGeneration: 0,
              generation: 1,
              currentJti: randomUUID(),
              rotatedAt: Date.now(),
            }),
          ),
        );
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as { field?: unknown }).field).toBe('generation');
        }
        const stored = await stores().refreshTokens.get(family.familyId);
        expect(stored?.generation).toBe(1);
        expect(stored?.currentJti).toBe(
          winners[0]?.status === 'fulfilled' ? winners[0].value.currentJti : '',
        );
      });
    });

    describe('jti revocation list', () => {
      it('reports a revoked jti until its expiry', async () => {
        const jti = randomUUID();
        const expiresAt = Date.now() + HOUR;
        await stores().revocations.revoke(jti, expiresAt);
        expect(await stores().revocations.isRevoked(jti, expiresAt - 1)).toBe(true);
        expect(await stores().revocations.isRevoked(jti, expiresAt + 1)).toBe(false);
        expect(await stores().revocations.isRevoked(randomUUID(), Date.now())).toBe(false);
      });

      it('accepts revoking the same jti twice', async () => {
        const jti = randomUUID();
        const expiresAt = Date.now() + HOUR;
        await stores().revocations.revoke(jti, expiresAt);
        await expect(stores().revocations.revoke(jti, expiresAt)).resolves.toBeUndefined();
        expect(await stores().revocations.isRevoked(jti, Date.now())).toBe(true);
      });
    });

    describe('certificate revocations', () => {
      it('adds, checks and lists revoked serials', async () => {
        const entry: RevokedCertificateRecord = {
          serialNumber: hex(16),
          userUuid: randomUUID(),
          deviceId: randomUUID(),
          revokedAt: Date.now(),
          reason: 'keyCompromise',
        };
        const bare: RevokedCertificateRecord = {
          serialNumber: hex(16),
          userUuid: randomUUID(),
          deviceId: randomUUID(),
          revokedAt: Date.now(),
        };
        await stores().certificateRevocations.add(entry);
        await stores().certificateRevocations.add(bare);
        expect(await stores().certificateRevocations.isRevoked(entry.serialNumber)).toBe(true);
        expect(await stores().certificateRevocations.isRevoked(hex(16))).toBe(false);
        const listed = await stores().certificateRevocations.list();
        expect(listed.find((e) => e.serialNumber === entry.serialNumber)).toEqual(entry);
        expect(listed.find((e) => e.serialNumber === bare.serialNumber)).toEqual(bare);
      });

      it('adding the same serial twice keeps one entry', async () => {
        const entry: RevokedCertificateRecord = {
          serialNumber: hex(16),
          userUuid: randomUUID(),
          deviceId: randomUUID(),
          revokedAt: Date.now(),
        };
        await stores().certificateRevocations.add(entry);
        await expect(stores().certificateRevocations.add(entry)).resolves.toBeUndefined();
        const listed = await stores().certificateRevocations.list();
        expect(listed.filter((e) => e.serialNumber === entry.serialNumber)).toHaveLength(1);
      });
    });

    describe('counters', () => {
      it('counts inside a window and starts a new one after it', async () => {
        const key = `login:${randomUUID()}`;
        const t0 = 1_800_000_000_000;
        expect(await stores().counters.get(key, t0)).toBeUndefined();
        expect(await stores().counters.increment(key, t0, 60_000)).toMatchObject({
          count: 1,
          windowStart: t0,
        });
        expect(await stores().counters.increment(key, t0 + 1_000, 60_000)).toMatchObject({
          count: 2,
          windowStart: t0,
        });
        expect(await stores().counters.get(key, t0 + 2_000)).toMatchObject({ count: 2, windowStart: t0 });
        expect(await stores().counters.increment(key, t0 + 61_000, 60_000)).toMatchObject({
          count: 1,
          windowStart: t0 + 61_000,
        });
      });

      it('locks and resets a key', async () => {
        const key = `login:${randomUUID()}`;
        const t0 = 1_800_000_000_000;
        await stores().counters.increment(key, t0, 60_000);
        await stores().counters.lock(key, t0 + 900_000);
        expect((await stores().counters.get(key, t0 + 1))?.lockedUntil).toBe(t0 + 900_000);
        await stores().counters.reset(key);
        expect(await stores().counters.get(key, t0 + 2)).toBeUndefined();
        // locking a key never counted still records the lock
        const fresh = `login:${randomUUID()}`;
        await stores().counters.lock(fresh, t0 + 5_000);
        expect((await stores().counters.get(fresh, t0))?.lockedUntil).toBe(t0 + 5_000);
        await expect(stores().counters.reset(`login:${randomUUID()}`)).resolves.toBeUndefined();
      });

      it(`counts ${CONCURRENCY} concurrent increments exactly`, async () => {
        const key = `rate:${randomUUID()}`;
        const t0 = 1_800_000_000_000;
        const results = await Promise.all(
          Array.from({ length: CONCURRENCY }, (_, i) => stores().counters.increment(key, t0 + i, 3_600_000)),
        );
        expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
          Array.from({ length: CONCURRENCY }, (_, i) => i + 1),
        );
        expect((await stores().counters.get(key, t0 + CONCURRENCY))?.count).toBe(CONCURRENCY);
      });
    });

    describe('audit log', () => {
      const event = (overrides: Partial<AuditEvent>): AuditEvent => ({
        eventId: randomUUID(),
        type: 'login_success',
        at: Date.now(),
        ...overrides,
      });

      it('lists a user’s events newest first, page by page', async () => {
        const userUuid = randomUUID();
        const t0 = Date.now();
        const events = [
          event({ userUuid, at: t0, type: 'registration', ip: '127.0.0.1', detail: { username: 'a', n: 1 } }),
          event({
            userUuid,
            at: t0 + 1_000,
            type: 'login_failure',
            reason: 'wrong_password',
            deviceId: 'd1',
          }),
          event({ userUuid, at: t0 + 2_000, type: 'login_success', detail: { mfa: true } }),
        ];
        for (const e of events) await stores().audit.append(e);
        await stores().audit.append(event({ userUuid: randomUUID(), at: t0 + 500 }));

        const first = await stores().audit.list({ userUuid, limit: 2 });
        expect(first.items).toEqual([events[2], events[1]]);
        expect(first.cursor).toBeDefined();
        const collected = [...first.items];
        let cursor = first.cursor;
        while (cursor !== undefined) {
          const page = await stores().audit.list({ userUuid, limit: 2, cursor });
          collected.push(...page.items);
          cursor = page.cursor;
        }
        expect(collected).toEqual([events[2], events[1], events[0]]);
        expect((await stores().audit.list({ userUuid: randomUUID(), limit: 10 })).items).toEqual([]);
      });

      it('lists all events newest first across users', async () => {
        const base = Date.now();
        const mine = [
          event({ userUuid: randomUUID(), at: base, type: 'device_added' }),
          event({ at: base + 1, type: 'security_alert', reason: 'burst' }),
        ];
        for (const e of mine) await stores().audit.append(e);
        const seen: AuditEvent[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await stores().audit.list({ limit: 25, cursor });
          expect(page.items.length).toBeLessThanOrEqual(25);
          seen.push(...page.items);
          cursor = page.cursor;
          pages += 1;
        } while (
          cursor !== undefined &&
          pages < 40 &&
          !mine.every((m) => seen.some((s) => s.eventId === m.eventId))
        );
        for (let i = 1; i < seen.length; i += 1) {
          expect((seen[i - 1] as AuditEvent).at).toBeGreaterThanOrEqual((seen[i] as AuditEvent).at);
        }
        const newer = seen.findIndex((s) => s.eventId === mine[1]?.eventId);
        const older = seen.findIndex((s) => s.eventId === mine[0]?.eventId);
        expect(newer).toBeGreaterThanOrEqual(0);
        expect(older).toBeGreaterThan(newer);
        expect(seen[newer]).toEqual(mine[1]);
      });

      it('refuses a cursor it did not hand out with InvalidCursorError, listing all or one user', async () => {
        for (const cursor of FORGED_CURSORS) {
          await expect(stores().audit.list({ limit: 2, cursor }), cursor).rejects.toBeInstanceOf(
            InvalidCursorError,
          );
          await expect(
            stores().audit.list({ userUuid: randomUUID(), limit: 2, cursor }),
            cursor,
          ).rejects.toBeInstanceOf(InvalidCursorError);
        }
      });
    });

    describe('certificate blobs', () => {
      it('stores, reads, lists and deletes certificate bodies', async () => {
        const userUuid = randomUUID();
        const blob = {
          userUuid,
          deviceId: randomUUID(),
          serialNumber: hex(16),
          pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
          json: { subject: `CN=${userUuid}`, fingerprint: hex(32), validity: { days: 365 } },
        };
        const other = { userUuid, deviceId: randomUUID(), serialNumber: hex(16), pem: 'pem-2' };
        const key = await stores().certificates.put(blob);
        const otherKey = await stores().certificates.put(other);
        expect(key).not.toBe(otherKey);
        expect(await stores().certificates.get(key)).toEqual(blob);
        expect(await stores().certificates.get(otherKey)).toEqual(other);
        expect([...(await stores().certificates.listByUser(userUuid))].sort()).toEqual(
          [key, otherKey].sort(),
        );
        expect(await stores().certificates.listByUser(randomUUID())).toEqual([]);
        await stores().certificates.delete(key);
        expect(await stores().certificates.get(key)).toBeUndefined();
        expect(await stores().certificates.listByUser(userUuid)).toEqual([otherKey]);
        await expect(stores().certificates.delete(key)).resolves.toBeUndefined();
      });

      it('answers undefined for an unknown key', async () => {
        expect(await stores().certificates.get(`certificates/${randomUUID()}/x/y.pem`)).toBeUndefined();
      });
    });

    describe('deployment facts', () => {
      const name = () => `check-${hex(6)}`;

      it('answers undefined for a fact never claimed, the claimed value afterwards', async () => {
        const fact = name();
        await expect(stores().deployment.get(fact)).resolves.toBeUndefined();
        await expect(stores().deployment.claim(fact, 'v1:first')).resolves.toBe('v1:first');
        await expect(stores().deployment.get(fact)).resolves.toBe('v1:first');
        // Claiming the same value again is still a win (a retry, a restart).
        await expect(stores().deployment.claim(fact, 'v1:first')).resolves.toBe('v1:first');
      });

      it('keeps the first value: a later different claim gets the first one back', async () => {
        const fact = name();
        await stores().deployment.claim(fact, 'v1:first');
        await expect(stores().deployment.claim(fact, 'v1:second')).resolves.toBe('v1:first');
        await expect(stores().deployment.get(fact)).resolves.toBe('v1:first');
      });

      it(`of ${CONCURRENCY} racing claims with different values exactly one wins, and every caller learns which`, async () => {
        const fact = name();
        const values = Array.from({ length: CONCURRENCY }, (_, i) => `v1:racer-${i}`);
        const answers = await Promise.all(values.map((value) => stores().deployment.claim(fact, value)));
        const winners = new Set(answers);
        expect(winners.size).toBe(1);
        const [winner] = [...winners];
        expect(values).toContain(winner);
        await expect(stores().deployment.get(fact)).resolves.toBe(winner);
      });

      it('refuses malformed names and values with INVALID_ARGUMENT', async () => {
        for (const bad of ['', 'Upper', 'a'.repeat(65), 'with space', '$gt', 'x#y']) {
          await expect(stores().deployment.claim(bad, 'v'), bad).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
          });
          await expect(stores().deployment.get(bad), bad).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        }
        for (const bad of ['', 'x'.repeat(1025), 42 as unknown as string]) {
          await expect(stores().deployment.claim(name(), bad)).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
          });
        }
      });
    });

    describe('notifier', () => {
      it('publishes without throwing', async () => {
        await expect(
          stores().notifier.publish({
            id: randomUUID(),
            type: 'registration',
            at: Date.now(),
            userUuid: randomUUID(),
            data: { channel: 'contract', count: 1, ok: true },
          }),
        ).resolves.toBeUndefined();
      });
    });
  });
}
