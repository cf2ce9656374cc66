/**
 * In-memory implementation of every port, with the same conditional-write semantics the real
 * adapters promise (unique claims, one-time consume, generation-checked rotation). Used for the
 * fast unit tests; the end-to-end suites run on the real adapters.
 */
import {
  type AuditEvent,
  type CertificateBlob,
  type ChallengeRecord,
  ConflictError,
  type ConsumeResult,
  type CounterState,
  type DeviceRecord,
  NotFoundError,
  type Notification,
  type PairingTokenRecord,
  type RecoveryCodeSetRecord,
  type RefreshFamilyRecord,
  type RevokedCertificateRecord,
  type Stores,
  type UserRecord,
} from '@city/ports';

export interface MemoryStores extends Stores {
  readonly notifications: Notification[];
  readonly auditEvents: AuditEvent[];
  /** When set, the notifier throws (to prove registration survives it). */
  failNotifications: boolean;
}

/** Lets other tasks run, so "concurrent" callers really interleave. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createMemoryStores(): MemoryStores {
  const users = new Map<string, UserRecord>();
  const unique = new Map<string, string>();
  const devices = new Map<string, DeviceRecord>();
  const pairing = new Map<string, PairingTokenRecord & { used?: boolean }>();
  const challenges = new Map<string, ChallengeRecord & { used?: boolean }>();
  const recovery = new Map<string, RecoveryCodeSetRecord>();
  const families = new Map<string, RefreshFamilyRecord>();
  const revoked = new Map<string, number>();
  const crl = new Map<string, RevokedCertificateRecord>();
  const counters = new Map<string, CounterState>();
  const blobs = new Map<string, CertificateBlob>();
  const auditEvents: AuditEvent[] = [];
  const deploymentFacts = new Map<string, string>();
  const notifications: Notification[] = [];
  const deviceKey = (u: string, d: string) => `${u}/${d}`;

  const stores: MemoryStores = {
    notifications,
    auditEvents,
    failNotifications: false,
    users: {
      async create(user) {
        await tick();
        const claims: [string, string][] = [
          ['username', `u:${user.usernameKey}`],
          ['email', `e:${user.emailIndex}`],
        ];
        if (user.mynumberIndex !== undefined) claims.push(['mynumber', `m:${user.mynumberIndex}`]);
        for (const [field, key] of claims) if (unique.has(key)) throw new ConflictError(field);
        for (const [, key] of claims) unique.set(key, user.uuid);
        users.set(user.uuid, user);
      },
      async getByUuid(uuid) {
        return users.get(uuid);
      },
      async getByUsernameKey(key) {
        const uuid = unique.get(`u:${key}`);
        return uuid === undefined ? undefined : users.get(uuid);
      },
      async getByEmailIndex(index) {
        const uuid = unique.get(`e:${index}`);
        return uuid === undefined ? undefined : users.get(uuid);
      },
      async getByMynumberIndex(index) {
        const uuid = unique.get(`m:${index}`);
        return uuid === undefined ? undefined : users.get(uuid);
      },
      async update(uuid, patch, expectedVersion, now) {
        await tick();
        const user = users.get(uuid);
        if (user === undefined) throw new NotFoundError();
        if (user.version !== expectedVersion) throw new ConflictError('version');
        const next = { ...user, ...patch, updatedAt: now, version: user.version + 1 };
        users.set(uuid, next);
        return next;
      },
      async list({ limit, cursor }) {
        const all = [...users.values()].sort((a, b) => a.uuid.localeCompare(b.uuid));
        const start = cursor === undefined ? 0 : Number(cursor);
        const items = all.slice(start, start + limit);
        return { items, cursor: start + limit < all.length ? String(start + limit) : undefined };
      },
      async ping() {},
    },
    devices: {
      async create(device) {
        await tick();
        if ([...devices.values()].some((d) => d.fingerprint === device.fingerprint))
          throw new ConflictError('fingerprint');
        devices.set(deviceKey(device.userUuid, device.deviceId), device);
      },
      async get(u, d) {
        return devices.get(deviceKey(u, d));
      },
      async getByFingerprint(fp) {
        return [...devices.values()].find((d) => d.fingerprint === fp);
      },
      async listByUser(u) {
        return [...devices.values()].filter((d) => d.userUuid === u);
      },
      async revoke(u, d, at) {
        const device = devices.get(deviceKey(u, d));
        if (device === undefined || device.status !== 'active') throw new NotFoundError();
        const next = { ...device, status: 'revoked' as const, revokedAt: at };
        devices.set(deviceKey(u, d), next);
        return next;
      },
      async replaceCertificate(u, d, { expectedSerialNumber, ...update }) {
        const device = devices.get(deviceKey(u, d));
        if (device === undefined || device.status !== 'active') throw new NotFoundError();
        if (device.serialNumber !== expectedSerialNumber) throw new ConflictError('serialNumber');
        if ([...devices.values()].some((o) => o !== device && o.fingerprint === update.fingerprint))
          throw new ConflictError('fingerprint');
        const next = { ...device, ...update };
        devices.set(deviceKey(u, d), next);
        return next;
      },
    },
    pairingTokens: {
      async create(token) {
        pairing.set(token.tokenHash, token);
      },
      async get(hash) {
        const t = pairing.get(hash);
        if (t === undefined) return undefined;
        const { used: _used, ...record } = t;
        return record;
      },
      async consume(hash, now): Promise<ConsumeResult<PairingTokenRecord>> {
        await tick();
        const t = pairing.get(hash);
        if (t === undefined) return { ok: false, reason: 'not_found' };
        if (t.used === true) return { ok: false, reason: 'used' };
        if (t.expiresAt <= now) return { ok: false, reason: 'expired' };
        pairing.set(hash, { ...t, used: true });
        const { used: _used, ...record } = t;
        return { ok: true, record };
      },
    },
    recoveryCodes: {
      async replace(set) {
        recovery.set(set.userUuid, { ...set, codeHashes: [...set.codeHashes], usedCodeHashes: [] });
      },
      async get(userUuid) {
        return recovery.get(userUuid);
      },
      async consume(userUuid, hash, _now): Promise<ConsumeResult<RecoveryCodeSetRecord>> {
        await tick();
        const set = recovery.get(userUuid);
        if (set === undefined || !set.codeHashes.includes(hash)) return { ok: false, reason: 'not_found' };
        if (set.usedCodeHashes.includes(hash)) return { ok: false, reason: 'used' };
        const next = {
          ...set,
          usedCodeHashes: set.codeHashes.filter((h) => h === hash || set.usedCodeHashes.includes(h)),
        };
        recovery.set(userUuid, next);
        return { ok: true, record: next };
      },
      async remove(userUuid) {
        recovery.delete(userUuid);
      },
    },
    challenges: {
      async create(c) {
        challenges.set(c.challengeId, c);
      },
      async consume(id, now): Promise<ConsumeResult<ChallengeRecord>> {
        const c = challenges.get(id);
        if (c === undefined) return { ok: false, reason: 'not_found' };
        if (c.used === true) return { ok: false, reason: 'used' };
        if (c.expiresAt <= now) return { ok: false, reason: 'expired' };
        challenges.set(id, { ...c, used: true });
        const { used: _used, ...record } = c;
        return { ok: true, record };
      },
    },
    refreshTokens: {
      async create(f) {
        families.set(f.familyId, f);
      },
      async get(id) {
        return families.get(id);
      },
      async rotate(id, rotation) {
        await tick();
        const f = families.get(id);
        if (f === undefined || f.status !== 'active' || f.generation !== rotation.expectedGeneration) {
          throw new ConflictError('generation');
        }
        const { expectedGeneration: _e, ...rest } = rotation;
        const next = { ...f, ...rest };
        families.set(id, next);
        return next;
      },
      async revoke(id, reason, _at) {
        const f = families.get(id);
        if (f === undefined) throw new NotFoundError();
        if (f.status === 'active') families.set(id, { ...f, status: 'revoked', revokedReason: reason });
      },
      async listByUser(u) {
        return [...families.values()].filter((f) => f.userUuid === u);
      },
    },
    revocations: {
      async revoke(jti, expiresAt) {
        revoked.set(jti, expiresAt);
      },
      async isRevoked(jti, now) {
        const until = revoked.get(jti);
        return until !== undefined && until > now;
      },
    },
    certificateRevocations: {
      async add(entry) {
        crl.set(entry.serialNumber, entry);
      },
      async isRevoked(serial) {
        return crl.has(serial);
      },
      async list() {
        return [...crl.values()];
      },
    },
    counters: {
      async increment(key, now, windowMs) {
        const c = counters.get(key);
        const next: CounterState =
          c === undefined || now - c.windowStart >= windowMs
            ? { count: 1, windowStart: now, lockedUntil: c?.lockedUntil }
            : { ...c, count: c.count + 1 };
        counters.set(key, next);
        return next;
      },
      async get(key) {
        return counters.get(key);
      },
      async lock(key, until) {
        const c = counters.get(key) ?? { count: 0, windowStart: 0 };
        counters.set(key, { ...c, lockedUntil: until });
      },
      async reset(key) {
        counters.delete(key);
      },
    },
    deployment: {
      async get(name) {
        return deploymentFacts.get(name);
      },
      async claim(name, value) {
        if (!deploymentFacts.has(name)) deploymentFacts.set(name, value);
        return deploymentFacts.get(name)!;
      },
    },
    audit: {
      async append(e) {
        auditEvents.push(e);
      },
      async list({ userUuid, limit }) {
        const items = auditEvents
          .filter((e) => userUuid === undefined || e.userUuid === userUuid)
          .reverse()
          .slice(0, limit);
        return { items };
      },
    },
    certificates: {
      async put(blob) {
        const key = `${blob.userUuid}/${blob.deviceId}/${blob.serialNumber}.pem`;
        blobs.set(key, blob);
        return key;
      },
      async get(key) {
        return blobs.get(key);
      },
      async listByUser(u) {
        return [...blobs.keys()].filter((k) => k.startsWith(`${u}/`));
      },
      async delete(key) {
        blobs.delete(key);
      },
    },
    notifier: {
      async publish(n) {
        if (stores.failNotifications) throw new Error('notifier down');
        notifications.push(n);
      },
    },
    async close() {},
  };
  return stores;
}
