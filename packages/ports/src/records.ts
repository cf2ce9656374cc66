/**
 * The records the ports exchange. All timestamps are milliseconds since the Unix epoch
 * (`Clock.now()`), all binary values are encoded as strings (hex or base64url) so that every
 * engine stores them the same way.
 */

/** The roles known to the system, least to most privileged: the one list every layer checks against. */
export const ROLES = ['user', 'moderator', 'admin'] as const;

/** A role known to the system (one of {@link ROLES}). */
export type Role = (typeof ROLES)[number];

/** A registered user. PII lives only in `encrypted`, as FieldCipher ciphertexts. */
export interface UserRecord {
  /** UUID v4; the partition key everywhere. */
  readonly uuid: string;
  /** Display form of the username, NFKC-normalised. */
  readonly username: string;
  /** Canonical username used for uniqueness and lookup (NFKC + lower case). */
  readonly usernameKey: string;
  /** Keyed blind index (HMAC) of the canonical email; unique. */
  readonly emailIndex: string;
  /** Keyed blind index of the mynumber, when one was given; unique. */
  readonly mynumberIndex?: string | undefined;
  /** PHC string (Argon2id) or legacy `sha256$salt$hash`. */
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly status: 'active' | 'disabled';
  /** Encrypted profile fields (email, name, birth_date, address, mynumber, phone) by attribute name. */
  readonly encrypted: Readonly<Record<string, string>>;
  /** The legacy `initial_harmony_token`, a non-negative integer. */
  readonly initialHarmonyToken: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Incremented on every update; used for optimistic concurrency. */
  readonly version: number;
}

/** Fields of a user that may change after registration. */
export interface UserPatch {
  readonly passwordHash?: string;
  readonly roles?: readonly Role[];
  readonly status?: 'active' | 'disabled';
  readonly encrypted?: Readonly<Record<string, string>>;
}

/** One device (one client certificate) of a user. */
export interface DeviceRecord {
  readonly deviceId: string;
  readonly userUuid: string;
  /** SHA-256 over the certificate DER, lower-case hex without separators; unique. */
  readonly fingerprint: string;
  /** Certificate serial number, lower-case hex. */
  readonly serialNumber: string;
  /** The current certificate (public data; needed to check device signatures). */
  readonly certificatePem: string;
  /** Key algorithm of the certificate (`ml-dsa-65`, `ecdsa-p256`, ...). */
  readonly algorithm: string;
  /** Where the certificate body is kept in the CertificateBlobStore. */
  readonly certificateKey: string;
  readonly label?: string | undefined;
  readonly status: 'active' | 'revoked';
  readonly createdAt: number;
  readonly notAfter: number;
  readonly revokedAt?: number | undefined;
  /** The device that authorised this one through a pairing token, if any. */
  readonly pairedFromDeviceId?: string | undefined;
}

/**
 * Certificate fields replaced when a device certificate is renewed, as a compare-and-set: the
 * update applies only if the device is active AND its current `serialNumber` equals
 * `expectedSerialNumber`; otherwise `ConflictError('serialNumber')` (a missing or revoked device
 * is `NotFoundError`). Of N concurrent renewals starting from one certificate exactly one wins, so
 * no renewal replaces a certificate it never saw (and which would then never be revoked).
 */
export interface DeviceCertificateUpdate {
  /** Serial number of the certificate this renewal replaces (the one the caller read). */
  readonly expectedSerialNumber: string;
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly certificatePem: string;
  readonly certificateKey: string;
  readonly notAfter: number;
}

/** A one-time pairing token; only its hash is stored. */
export interface PairingTokenRecord {
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
  readonly userUuid: string;
  /**
   * The authenticated device that requested the token, or `operator:<name>` for an enrolment token
   * the deployment's operator issued to a user who has no device left (no device to check).
   */
  readonly parentDeviceId: string;
  /** Label the issuer chose for the device to be paired; the paired device gets it unless its redeemer names one. */
  readonly deviceLabel?: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * A user's current set of one-time recovery codes. Only keyed hashes of the codes are stored;
 * a regenerated set gets a new `setId` and replaces the old one whole, so no code of an older
 * set ever works again.
 */
export interface RecoveryCodeSetRecord {
  readonly userUuid: string;
  /** Random id of this set (a uuid). */
  readonly setId: string;
  /** Keyed hashes of the set's codes (HMAC-SHA-256, base64url or hex), distinct. */
  readonly codeHashes: readonly string[];
  /** The hashes of the codes already used, a subset of `codeHashes` (empty in a new set). */
  readonly usedCodeHashes: readonly string[];
  readonly createdAt: number;
}

/** A login challenge (server nonce) a device must sign. */
export interface ChallengeRecord {
  readonly challengeId: string;
  /** Random nonce, base64url. */
  readonly nonce: string;
  /** Optional user the challenge was requested for (uuid), to bind it. */
  readonly userUuid?: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Why a one-time item could not be consumed. */
export type ConsumeFailure = 'not_found' | 'expired' | 'used';

/** Result of an atomic one-time consume: exactly one concurrent caller gets `ok: true`. */
export type ConsumeResult<T> =
  | { readonly ok: true; readonly record: T }
  | { readonly ok: false; readonly reason: ConsumeFailure };

/** A refresh-token family: one login session on one device, rotating its refresh token. */
export interface RefreshFamilyRecord {
  readonly familyId: string;
  readonly userUuid: string;
  readonly deviceId: string;
  /** Generation of the refresh token currently valid (starts at 0). */
  readonly generation: number;
  /** `jti` of the refresh token currently valid. */
  readonly currentJti: string;
  /** `jti` of the access token issued with the current refresh token. */
  readonly currentAccessJti?: string | undefined;
  /** When the family last rotated (ms). */
  readonly rotatedAt: number;
  /**
   * The successor pair issued by the last rotation, sealed (encrypted) by the caller, so a
   * retry of the previous token inside the grace window gets the same answer.
   */
  readonly graceSealed?: string | undefined;
  /** Until when (ms) the previous generation may be presented again for `graceSealed`. */
  readonly graceUntil?: number | undefined;
  readonly status: 'active' | 'revoked';
  readonly revokedReason?: string | undefined;
  readonly createdAt: number;
  /** Absolute end of the family (ms); also the engine's TTL. */
  readonly expiresAt: number;
}

/** What a rotation writes; applied only if the family is still at `expectedGeneration` and active. */
export interface RefreshRotation {
  readonly expectedGeneration: number;
  readonly generation: number;
  readonly currentJti: string;
  readonly currentAccessJti?: string | undefined;
  readonly rotatedAt: number;
  readonly graceSealed?: string | undefined;
  readonly graceUntil?: number | undefined;
}

/** A revoked certificate, for the CRL. */
export interface RevokedCertificateRecord {
  readonly serialNumber: string;
  readonly userUuid: string;
  readonly deviceId: string;
  readonly revokedAt: number;
  readonly reason?: string | undefined;
  /**
   * The revoked certificate's own end of validity (ms): once it has passed, the entry may be
   * dropped from the list (RFC 5280 §3.3). Absent = kept for good.
   */
  readonly notAfter?: number | undefined;
}

/** Kinds of security events recorded in the audit log. */
export type AuditEventType =
  | 'registration'
  | 'login_success'
  | 'login_failure'
  | 'lockout'
  | 'token_refresh'
  | 'token_reuse'
  | 'token_revoked'
  | 'logout'
  | 'pairing_token_issued'
  | 'device_added'
  | 'device_revoked'
  | 'device_renewed'
  | 'role_change'
  | 'user_disabled'
  | 'user_enabled'
  | 'devices_reset'
  | 'recovery_codes_generated'
  | 'security_alert'
  | 'permission_denied'
  | 'admin_action';

/** One audit log entry. `detail` never contains secrets. */
export interface AuditEvent {
  readonly eventId: string;
  readonly type: AuditEventType;
  readonly at: number;
  readonly userUuid?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  /** Precise reason for failures (`wrong_password`, `unknown_user`, `certificate_revoked`...). */
  readonly reason?: string | undefined;
  readonly detail?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** A counter used for failure throttling and rate limiting. */
export interface CounterState {
  readonly count: number;
  /** When the current window started (ms). */
  readonly windowStart: number;
  /** Until when (ms) the key is locked out, if it is. */
  readonly lockedUntil?: number | undefined;
}

/** A certificate body kept in the blob store. */
export interface CertificateBlob {
  readonly userUuid: string;
  readonly deviceId: string;
  readonly serialNumber: string;
  readonly pem: string;
  /** The legacy JSON form (subject, fingerprint, validity, ...). */
  readonly json?: Readonly<Record<string, unknown>> | undefined;
}

/** Kinds of notifications. */
export type NotificationType = 'registration' | 'new_device' | 'revocation' | 'security_alert';

/** A notification; `data` never contains secrets or PII. */
export interface Notification {
  readonly id: string;
  readonly type: NotificationType;
  readonly at: number;
  readonly userUuid?: string | undefined;
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** A page of results plus an opaque cursor for the next page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string | undefined;
}

/**
 * A service registered to call service-only endpoints (token introspection) with client
 * credentials. `secretHash` is `sha256:<base64url>` of a 256-bit random secret: the secret is
 * shown once and never stored.
 */
export interface ServiceClientRecord {
  readonly clientId: string;
  readonly name: string;
  readonly secretHash: string;
  readonly createdAt: number;
}
