/**
 * The ports registration-core needs. Each is small on purpose: an adapter (DynamoDB,
 * MongoDB, ...) implements it, and one contract suite checks every adapter the same way.
 *
 * Rules every adapter follows:
 * - uniqueness and one-time use are enforced by the engine (conditional writes / unique
 *   indexes), so of N concurrent callers exactly one wins;
 * - expiry is enforced on read by comparing `expiresAt` with the `now` passed in (engine TTL
 *   only reclaims space, and lags);
 * - engine failures surface as `StoreUnavailableError`, clashes as `ConflictError`, missing
 *   records as `NotFoundError` (or `undefined` where the signature says so), a page cursor the
 *   store did not hand out as `InvalidCursorError`.
 */
import type {
  AuditEvent,
  CertificateBlob,
  ChallengeRecord,
  ConsumeResult,
  CounterState,
  DeviceCertificateUpdate,
  DeviceRecord,
  Notification,
  Page,
  PairingTokenRecord,
  RecoveryCodeSetRecord,
  RefreshFamilyRecord,
  RefreshRotation,
  RevokedCertificateRecord,
  ServiceClientRecord,
  UserPatch,
  UserRecord,
} from './records.js';

/** Users, unique by `usernameKey`, `emailIndex` and `mynumberIndex`. */
export interface UserStore {
  /** Creates the user; throws `ConflictError` with `field` `username`, `email` or `mynumber`. The user is visible only once fully written. */
  create(user: UserRecord): Promise<void>;
  getByUuid(uuid: string): Promise<UserRecord | undefined>;
  getByUsernameKey(usernameKey: string): Promise<UserRecord | undefined>;
  getByEmailIndex(emailIndex: string): Promise<UserRecord | undefined>;
  /** The user holding this My Number blind index (to alert its owner when someone else tries to register it). */
  getByMynumberIndex(mynumberIndex: string): Promise<UserRecord | undefined>;
  /** Applies `patch` if the stored version equals `expectedVersion`; returns the new record. `NotFoundError` / `ConflictError('version')`. */
  update(uuid: string, patch: UserPatch, expectedVersion: number, now: number): Promise<UserRecord>;
  /** Admin listing (the one place a full scan is allowed). */
  list(options: { limit: number; cursor?: string | undefined }): Promise<Page<UserRecord>>;
  /** Cheap reachability check for readiness probes. */
  ping(): Promise<void>;
}

/** Devices, unique by `fingerprint`, addressed by (userUuid, deviceId). */
export interface DeviceStore {
  /** `ConflictError('fingerprint')` when the certificate is already registered. */
  create(device: DeviceRecord): Promise<void>;
  get(userUuid: string, deviceId: string): Promise<DeviceRecord | undefined>;
  getByFingerprint(fingerprint: string): Promise<DeviceRecord | undefined>;
  listByUser(userUuid: string): Promise<readonly DeviceRecord[]>;
  /** Marks an active device revoked; `NotFoundError` if missing or already revoked. */
  revoke(userUuid: string, deviceId: string, at: number): Promise<DeviceRecord>;
  /**
   * Replaces the certificate of an active device (renewal) if its serial still equals
   * `update.expectedSerialNumber`: `ConflictError('serialNumber')` otherwise,
   * `ConflictError('fingerprint')` if the new certificate is registered elsewhere, `NotFoundError`
   * if the device is missing or revoked.
   */
  replaceCertificate(
    userUuid: string,
    deviceId: string,
    update: DeviceCertificateUpdate,
  ): Promise<DeviceRecord>;
}

/** One-time pairing tokens, keyed by the token's hash. */
export interface PairingTokenStore {
  create(token: PairingTokenRecord): Promise<void>;
  /** Reads without consuming (`undefined` when missing; expiry is the caller's check). */
  get(tokenHash: string): Promise<PairingTokenRecord | undefined>;
  /** Atomically marks the token used; exactly one concurrent caller gets `ok: true`. */
  consume(tokenHash: string, now: number): Promise<ConsumeResult<PairingTokenRecord>>;
}

/**
 * One-time recovery codes: one current set per user, stored as keyed hashes. Replacing a set
 * is one atomic write (the old codes stop working at once); consuming a code is atomic, so of
 * N concurrent uses of one code exactly one succeeds, on every engine and across instances.
 */
export interface RecoveryCodeStore {
  /** Stores `set` as the user's current set, replacing any earlier one (its used marks too). */
  replace(set: RecoveryCodeSetRecord): Promise<void>;
  /** The user's current set with its used marks (`undefined` when the user has none). */
  get(userUuid: string): Promise<RecoveryCodeSetRecord | undefined>;
  /**
   * Atomically marks `codeHash` of the user's current set used: `ok` with the set as it is
   * after the use, `not_found` when the user has no set or the hash is not in it, `used` when
   * it was used before (by this caller or a concurrent one).
   */
  consume(userUuid: string, codeHash: string, now: number): Promise<ConsumeResult<RecoveryCodeSetRecord>>;
  /** Deletes the user's set (idempotent). */
  remove(userUuid: string): Promise<void>;
}

/** One-time login challenges. */
export interface ChallengeStore {
  create(challenge: ChallengeRecord): Promise<void>;
  consume(challengeId: string, now: number): Promise<ConsumeResult<ChallengeRecord>>;
}

/** Refresh-token families (one per login session per device). */
export interface RefreshTokenStore {
  create(family: RefreshFamilyRecord): Promise<void>;
  get(familyId: string): Promise<RefreshFamilyRecord | undefined>;
  /** Applies the rotation if the family is active and at `expectedGeneration`; else `ConflictError('generation')`. */
  rotate(familyId: string, rotation: RefreshRotation): Promise<RefreshFamilyRecord>;
  /** Revokes the family (idempotent); `NotFoundError` if it never existed. */
  revoke(familyId: string, reason: string, at: number): Promise<void>;
  listByUser(userUuid: string): Promise<readonly RefreshFamilyRecord[]>;
}

/** Denylist of token ids (`jti`) until their natural expiry. */
export interface RevocationList {
  revoke(jti: string, expiresAt: number): Promise<void>;
  isRevoked(jti: string, now: number): Promise<boolean>;
}

/** Registered services (client credentials for service-only endpoints), unique by `clientId`. */
export interface ServiceClientStore {
  /** Registers a client; throws `ConflictError` with `field` `clientId` when the id is taken. */
  create(client: ServiceClientRecord): Promise<void>;
  get(clientId: string): Promise<ServiceClientRecord | undefined>;
  /** Every client, by `clientId`. */
  list(): Promise<readonly ServiceClientRecord[]>;
  /** Removes a client; false when there was none. */
  remove(clientId: string): Promise<boolean>;
}

/** Revoked certificate serials, for CRLs and certificate checks. */
export interface CertificateRevocationStore {
  add(entry: RevokedCertificateRecord): Promise<void>;
  isRevoked(serialNumber: string): Promise<boolean>;
  list(): Promise<readonly RevokedCertificateRecord[]>;
}

/** Shared counters for failure throttling and rate limits, so several API instances agree. */
export interface CounterStore {
  /** Atomically adds one in the window starting at the stored `windowStart` (a new window if older than `windowMs`). */
  increment(key: string, now: number, windowMs: number): Promise<CounterState>;
  get(key: string, now: number): Promise<CounterState | undefined>;
  /** Locks the key until `until` (ms). */
  lock(key: string, until: number): Promise<void>;
  reset(key: string): Promise<void>;
}

/** Append-only audit trail. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Newest first; filtered by user when given. */
  list(options: {
    userUuid?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<Page<AuditEvent>>;
}

/** Certificate bodies (PEM and JSON) by user/device/serial. */
export interface CertificateBlobStore {
  /** Stores the blob and returns its key. */
  put(blob: CertificateBlob): Promise<string>;
  get(key: string): Promise<CertificateBlob | undefined>;
  listByUser(userUuid: string): Promise<readonly string[]>;
  delete(key: string): Promise<void>;
}

/** Outgoing notifications. `publish` never throws for delivery problems: it queues instead. */
export interface Notifier {
  publish(notification: Notification): Promise<void>;
}

/** Source of time; tests freeze it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Source of randomness; tests may make it deterministic. */
export interface Random {
  bytes(length: number): Uint8Array;
  uuid(): string;
}

/**
 * Facts fixed by a deployment's first start and shared by every instance on the same store: the
 * key check of the secrets the data is written with, so an instance given other secrets refuses
 * to start instead of writing records the others cannot read. Names are 1..64 characters of
 * `[a-z0-9-]`, values at most 1024 characters.
 */
export interface DeploymentStore {
  /** The value stored under `name`, or undefined when none is. */
  get(name: string): Promise<string | undefined>;
  /**
   * Stores `value` under `name` unless a value is stored already, and returns the stored value:
   * `value` when this call stored it (or an equal one was there), the first writer's otherwise.
   * Of concurrent claims with different values exactly one wins, on every instance.
   */
  claim(name: string, value: string): Promise<string>;
}

/** Every port at once, as an adapter factory returns them. */
export interface Stores {
  readonly users: UserStore;
  readonly devices: DeviceStore;
  readonly pairingTokens: PairingTokenStore;
  readonly challenges: ChallengeStore;
  readonly recoveryCodes: RecoveryCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly revocations: RevocationList;
  readonly certificateRevocations: CertificateRevocationStore;
  readonly counters: CounterStore;
  readonly audit: AuditLog;
  readonly certificates: CertificateBlobStore;
  readonly notifier: Notifier;
  readonly deployment: DeploymentStore;
  /** Registered services; stores without it answer every service client as unknown. */
  readonly serviceClients?: ServiceClientStore | undefined;
  /**
   * Optional change marker for caches: a cheap synchronous value that differs from any earlier
   * value whenever a user, device, refresh family, revoked token id or revoked certificate may
   * have changed — including writes by other processes sharing the store (network stores may see
   * another instance's change after a stated bound, e.g. within a second through a shared change
   * epoch). Adapters that cannot observe every writer leave it out, and callers then must not cache.
   */
  readonly authStateVersion?: (() => string) | undefined;
  /** Releases connections (clients, sockets). */
  close(): Promise<void>;
}
