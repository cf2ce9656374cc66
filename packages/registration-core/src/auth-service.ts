/**
 * The public shape of the use cases: the `AuthService` interface the HTTP API and the CLI
 * call, and every input and output type.
 *
 * Inputs arrive as raw, untrusted JSON (`unknown`) and are validated by the service against
 * their request contracts: field names are the legacy snake_case (`birth_date`,
 * `initial_harmony_token`); the `...Input` types derive from those contracts. Outputs are plain JSON-safe objects in camelCase
 * with times as ISO 8601 strings. Failures are `AuthError`s (see `AUTH_ERROR_CODES`).
 */
import type { AuditEvent, AuditEventType, Role } from '@city/ports';
import type { CertificateAlgorithm } from './auth-config.js';
import type {
  IntrospectionResult,
  NewServiceClient,
  ServiceClientSummary,
  ServiceCredentials,
} from './use-cases/manage-service-clients.js';

/** What the transport knows about the caller. */
export interface RequestContext {
  /** Client IP address (after the API's trusted-proxy handling). */
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** PEM of the client certificate, already verified by the TLS layer (our socket or a trusted proxy). */
  readonly peerCertificatePem?: string | undefined;
}

/** The authenticated caller, as `authenticate(accessToken)` returns it. */
export interface Principal {
  readonly userUuid: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** The device the session was opened on. */
  readonly deviceId: string;
  /** Session id: the refresh family id (`sid` claim). */
  readonly sessionId: string;
  /** Access token id (`jti`). */
  readonly tokenId: string;
  /** Access token expiry (ISO 8601). */
  readonly expiresAt: string;
}

/**
 * The operator of a deployment acting on its stores in-process (the CLI's direct mode on the
 * server's data): whoever can open the stores and secrets already holds every record, so no role
 * check applies. Audited with `by: operator:<name>`. The HTTP API never builds one.
 */
export interface OperatorActor {
  /** Who acted, for the audit trail (e.g. `cli`). */
  readonly operator: string;
}

/** Who performs an administrative call: an authenticated principal (its roles checked) or the operator. */
export type AdminActor = Principal | OperatorActor;

// ---------------------------------------------------------------- inputs
// Each input type derives from its request contract (a JSON Schema in `contracts/`), the one
// definition the use case validates with and the HTTP API validates and documents with.

export type {
  AdminTargetInput,
  ChangeRoleInput,
  ListAuditInput,
  ListUsersInput,
  SetRolesInput,
  SetUserStatusInput,
} from './contracts/admin-input-schema.js';
export type { RenewCertificateInput } from './contracts/device-input-schema.js';
export type { LoginChallengeInput, LoginInput } from './contracts/login-input-schema.js';
export type { PairedDeviceInput, PairingTokenRequestInput } from './contracts/pairing-input-schema.js';
export type { RecoverAccountInput } from './contracts/recovery-input-schema.js';
export type { RefreshChallengeInput, RefreshInput } from './contracts/refresh-input-schema.js';
export type { RegisterInput } from './contracts/register-input-schema.js';
export type { RevokeTokenInput } from './contracts/token-input-schema.js';

// ---------------------------------------------------------------- outputs

/** A device certificate as handed to a client. */
export interface IssuedDeviceCertificate {
  readonly deviceId: string;
  readonly certificatePem: string;
  /** Base64 of the PEM text (the legacy `client_cert` form). */
  readonly certificateBase64: string;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly algorithm: CertificateAlgorithm | string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  /** PKCS#8 PEM; present only when the server generated the key. Returned exactly once. */
  readonly privateKeyPem?: string | undefined;
  /** The CA certificate, for the device to pin. */
  readonly caCertificatePem: string;
  /**
   * Compact string for a QR code carrying the certificate reference to the device:
   * `city-auth:cert?v=1&uuid=..&device=..&fp=..` — never a password or private key.
   */
  readonly qrPayload: string;
}

/** Result of `register`. */
export interface RegistrationResult extends IssuedDeviceCertificate {
  readonly uuid: string;
  readonly username: string;
  /**
   * The account's one-time recovery codes (`XXXX-XXXX-XXXX-XXXX`, 80 bits each), each of which,
   * with the password, enrols a new device through `recoverAccount`. Returned once: only their
   * keyed hashes are stored.
   */
  readonly recoveryCodes: readonly string[];
  /** Base64 of the PKCS#12 (key, certificate, CA) when `pkcs12_password` was sent. Returned once. */
  readonly pkcs12Base64?: string | undefined;
}

/** Result of `registerDeviceWithPairingToken`. */
export interface PairedDeviceResult extends IssuedDeviceCertificate {
  readonly uuid: string;
  /** The device that issued the pairing token; absent for an operator's enrolment token (`resetDevices`). */
  readonly pairedFromDeviceId?: string | undefined;
}

/** Result of `recoverAccount`: the new device's certificate. */
export interface RecoveredDeviceResult extends IssuedDeviceCertificate {
  readonly uuid: string;
  /** Unused recovery codes left after this one (regenerate the set when it runs low). */
  readonly recoveryCodesRemaining: number;
}

/** Result of `regenerateRecoveryCodes`: the new set, shown once. */
export interface RecoveryCodesResult {
  readonly recoveryCodes: readonly string[];
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Result of `recoveryCodesStatus`: how many codes of the current set are still unused. */
export interface RecoveryCodesStatus {
  /** Codes in the current set (0 when the account has none). */
  readonly total: number;
  readonly remaining: number;
  /** ISO 8601; absent when the account has no set. */
  readonly createdAt?: string | undefined;
}

/** Result of `resetDevices`: a one-time enrolment token, redeemed like a pairing token. */
export interface EnrolmentTokenResult {
  readonly uuid: string;
  readonly username: string;
  /** 256-bit token, base64url; shown once, stored only as its SHA-256. */
  readonly token: string;
  /** ISO 8601 (24 hours after issue). */
  readonly expiresAt: string;
  /** `city-auth:pair?v=1&uuid=..&token=..`, accepted by `city pair accept` and the pairing page. */
  readonly qrPayload: string;
  /** How many active devices were revoked. */
  readonly devicesRevoked: number;
}

/** Result of `renewDeviceCertificate`. */
export interface RenewedCertificateResult extends IssuedDeviceCertificate {
  /** Serial number of the certificate that was replaced (now revoked). */
  readonly previousSerialNumber: string;
}

/** Result of `deviceCertificate`: one of the owner's device certificates (public data, no key). */
export interface DeviceCertificateResult {
  readonly deviceId: string;
  readonly status: 'active' | 'revoked';
  readonly certificatePem: string;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly algorithm: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly caCertificatePem: string;
  /** `city-auth:cert?v=1&uuid=..&device=..&fp=..`: the certificate's reference, for a QR code. */
  readonly qrPayload: string;
}

/** Result of `createLoginChallenge`. */
export interface LoginChallenge {
  readonly challengeId: string;
  /** The exact string the device signs (UTF-8). */
  readonly challenge: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** Result of `createRefreshChallenge` (same shape as a login challenge; the string names the refresh purpose). */
export type RefreshChallenge = LoginChallenge;

/** What a user looks like to themselves and to admins. */
export interface UserSummary {
  readonly uuid: string;
  readonly username: string;
  readonly roles: readonly Role[];
  readonly email: string;
  readonly status: 'active' | 'disabled';
  /** ISO 8601. */
  readonly createdAt: string;
}

/** An access + refresh token pair. */
export interface TokenPair {
  readonly tokenType: 'Bearer';
  readonly accessToken: string;
  /** Access token lifetime in seconds (OAuth `expires_in`). */
  readonly expiresIn: number;
  /** ISO 8601. */
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  /** ISO 8601. */
  readonly refreshTokenExpiresAt: string;
  /** Session (refresh family) id. */
  readonly sessionId: string;
  readonly deviceId: string;
}

/** Result of `login`. */
export interface LoginResult extends TokenPair {
  readonly user: UserSummary;
}

/** Result of `refresh`. */
export type RefreshResult = TokenPair;

/** Result of `me`. PII decrypted for the owner; My Number shown only by its last 4 digits. */
export interface MeResult extends UserSummary {
  readonly name?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly address?: string | undefined;
  readonly phone?: string | undefined;
  readonly mynumberLast4?: string | undefined;
  readonly initialHarmonyToken: number;
  readonly deviceId: string;
  readonly sessionId: string;
}

/** Result of `requestPairingToken`. */
export interface PairingTokenResult {
  /** 256-bit token, base64url; shown once, stored only as its SHA-256. */
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  /** `city-auth:pair?v=1&uuid=..&token=..[&label=..]` — never the password. */
  readonly qrPayload: string;
  /** The `device_label` asked for (also in the QR payload); the paired device gets it unless the redeemer names one. */
  readonly deviceLabel?: string;
}

/** A device as listed to its owner. */
export interface DeviceSummary {
  readonly deviceId: string;
  readonly label?: string | undefined;
  readonly status: 'active' | 'revoked';
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly algorithm: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly notAfter: string;
  /** ISO 8601. */
  readonly revokedAt?: string | undefined;
  readonly pairedFromDeviceId?: string | undefined;
  /** True for the device of the calling session. */
  readonly current: boolean;
}

/** One page of a listing. */
export interface PageResult<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly cursor?: string | undefined;
}

/** An audit entry as listed to admins (`at` as ISO 8601). */
export interface AuditEntry {
  readonly eventId: string;
  readonly type: AuditEventType;
  readonly at: string;
  readonly userUuid?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly ip?: string | undefined;
  readonly reason?: string | undefined;
  readonly detail?: AuditEvent['detail'];
}

/** JSON Web Key Set (public keys only). */
export interface JwksResult {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

// ---------------------------------------------------------------- the service

/**
 * The use cases. Every method validates its raw input and throws `AuthError` (or a
 * `StoreUnavailableError` from the ports) on failure; no method ever trusts a client-supplied
 * user id: resources are looked up under `principal.userUuid`.
 */
export interface AuthService {
  /** Registers a user and their first device. @throws VALIDATION_FAILED, USERNAME_TAKEN, EMAIL_TAKEN, MYNUMBER_TAKEN, TOO_MANY_ATTEMPTS (My Number probes), CERTIFICATE_REQUEST_INVALID, KEY_ALGORITHM_UNSUPPORTED */
  register(input: unknown, context?: RequestContext): Promise<RegistrationResult>;
  /** Issues a single-use nonce (2-minute TTL) for the signature proof. @throws VALIDATION_FAILED (any field in the body) */
  createLoginChallenge(input?: unknown, context?: RequestContext): Promise<LoginChallenge>;
  /** Password + device proof → tokens. @throws VALIDATION_FAILED, INVALID_CREDENTIALS, ACCOUNT_LOCKED, TOO_MANY_ATTEMPTS, PROOF_MODE_DISABLED, CHALLENGE_INVALID, CLIENT_CERTIFICATE_REQUIRED */
  login(input: unknown, context?: RequestContext): Promise<LoginResult>;
  /** Issues a single-use nonce (2-minute TTL) for the refresh proof of possession. @throws VALIDATION_FAILED (any field in the body) */
  createRefreshChallenge(input?: unknown, context?: RequestContext): Promise<RefreshChallenge>;
  /** Rotates a refresh token; the caller proves possession of the session's device key (signed refresh challenge, or mTLS). Without a valid proof: TOKEN_INVALID whatever the token. Then reuse detection and the same-device retry grace. @throws VALIDATION_FAILED, CHALLENGE_INVALID, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED, REFRESH_TOKEN_REUSED, CONCURRENT_UPDATE */
  refresh(input: unknown, context?: RequestContext): Promise<RefreshResult>;
  /** Revokes the principal's access token and its session (refresh family). */
  logout(principal: Principal, context?: RequestContext): Promise<void>;
  /** RFC 7009: revokes an access or refresh token; resolves for any input (no validity oracle). */
  revokeToken(input: unknown, context?: RequestContext): Promise<void>;
  /** The principal's own profile. @throws TOKEN_REVOKED (the user was disabled meanwhile) */
  me(principal: Principal): Promise<MeResult>;
  /** Verifies an access token (signature, claims, revocation, user, device and session still active). @throws AUTHENTICATION_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED */
  authenticate(accessToken: string | undefined): Promise<Principal>;
  /** RFC 7662 for a registered service: `{ active: false }` unless the access token passes `authenticate`. @throws SERVICE_CLIENT_INVALID, VALIDATION_FAILED */
  introspect(credentials: ServiceCredentials, input: unknown): Promise<IntrospectionResult>;
  /** Operator: registers a service (client credentials for introspection); the secret is returned once. @throws FORBIDDEN, VALIDATION_FAILED, SERVICE_CLIENT_EXISTS, SERVICE_CLIENTS_UNSUPPORTED */
  addServiceClient(actor: AdminActor, input: unknown): Promise<NewServiceClient>;
  /** Operator: the registered services. @throws FORBIDDEN, SERVICE_CLIENTS_UNSUPPORTED */
  listServiceClients(actor: AdminActor): Promise<readonly ServiceClientSummary[]>;
  /** Operator: removes a service. @throws FORBIDDEN, VALIDATION_FAILED, SERVICE_CLIENT_NOT_FOUND, SERVICE_CLIENTS_UNSUPPORTED */
  removeServiceClient(actor: AdminActor, input: unknown): Promise<void>;
  /** One-time pairing token for adding a device (principal on an active device and session). @throws VALIDATION_FAILED, TOKEN_REVOKED, DEVICE_NOT_FOUND, CONCURRENT_UPDATE */
  requestPairingToken(
    principal: Principal,
    input?: unknown,
    context?: RequestContext,
  ): Promise<PairingTokenResult>;
  /** Redeems a pairing token + username + password for a new device certificate. @throws VALIDATION_FAILED, PAIRING_CREDENTIALS_REQUIRED, INVALID_CREDENTIALS (also for every token failure), ACCOUNT_LOCKED, TOO_MANY_ATTEMPTS, CERTIFICATE_REQUEST_INVALID, KEY_ALGORITHM_UNSUPPORTED */
  registerDeviceWithPairingToken(input: unknown, context?: RequestContext): Promise<PairedDeviceResult>;
  /**
   * Account recovery: username + password + one unused recovery code enrol a new device (nothing
   * is revoked; a `recovery_code_used` security alert is raised). Counted against the account
   * lockout like a password guess. @throws VALIDATION_FAILED, INVALID_CREDENTIALS (also for every
   * code failure), ACCOUNT_LOCKED, TOO_MANY_ATTEMPTS, CERTIFICATE_REQUEST_INVALID, KEY_ALGORITHM_UNSUPPORTED
   */
  recoverAccount(input: unknown, context?: RequestContext): Promise<RecoveredDeviceResult>;
  /** A new set of recovery codes for the principal (shown once); the old set stops working. @throws VALIDATION_FAILED, TOKEN_REVOKED, DEVICE_NOT_FOUND */
  regenerateRecoveryCodes(
    principal: Principal,
    input?: unknown,
    context?: RequestContext,
  ): Promise<RecoveryCodesResult>;
  /** How many of the principal's recovery codes are unused. @throws TOKEN_REVOKED, DEVICE_NOT_FOUND */
  recoveryCodesStatus(principal: Principal): Promise<RecoveryCodesStatus>;
  /** The principal's devices. */
  listDevices(principal: Principal): Promise<readonly DeviceSummary[]>;
  /** The certificate of one of the principal's devices (PEM, fingerprint, QR reference). @throws DEVICE_NOT_FOUND */
  deviceCertificate(principal: Principal, deviceId: unknown): Promise<DeviceCertificateResult>;
  /**
   * Revokes one of the principal's devices (certificate → CRL, its sessions revoked); the account's last
   * active device only with `confirmLastDevice`. @throws TOKEN_REVOKED, DEVICE_NOT_FOUND, LAST_DEVICE_CONFIRMATION_REQUIRED
   */
  revokeDevice(
    principal: Principal,
    deviceId: unknown,
    context?: RequestContext,
    options?: { readonly confirmLastDevice?: boolean },
  ): Promise<DeviceSummary>;
  /** New certificate for an active device of the principal; the old serial is revoked. @throws VALIDATION_FAILED, TOKEN_REVOKED, DEVICE_NOT_FOUND, CERTIFICATE_REQUEST_INVALID, KEY_ALGORITHM_UNSUPPORTED, CONCURRENT_UPDATE */
  renewDeviceCertificate(
    principal: Principal,
    input?: unknown,
    context?: RequestContext,
  ): Promise<RenewedCertificateResult>;
  /** Admin: users page. @throws FORBIDDEN, VALIDATION_FAILED (limit, or a cursor not returned by a previous page) */
  listUsers(actor: AdminActor, input?: unknown, context?: RequestContext): Promise<PageResult<UserSummary>>;
  /** Admin: one user by `user_uuid` or `username`. @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND */
  getUser(actor: AdminActor, input: unknown, context?: RequestContext): Promise<UserSummary>;
  /** Admin/moderator: audit page, newest first. @throws FORBIDDEN, VALIDATION_FAILED (limit, user_uuid, or a cursor not returned by a previous page) */
  listAudit(actor: AdminActor, input?: unknown, context?: RequestContext): Promise<PageResult<AuditEntry>>;
  /** Admin: replace a user's roles. @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND, CONCURRENT_UPDATE */
  setRoles(actor: AdminActor, input: unknown, context?: RequestContext): Promise<UserSummary>;
  /** Admin: add one role (idempotent; audited when it changes something). @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND, CONCURRENT_UPDATE */
  grantRole(actor: AdminActor, input: unknown, context?: RequestContext): Promise<UserSummary>;
  /** Admin: remove one role (idempotent; a user keeps at least `user`). @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND, CONCURRENT_UPDATE */
  revokeRole(actor: AdminActor, input: unknown, context?: RequestContext): Promise<UserSummary>;
  /**
   * Admin: disable or re-enable a user. Disabling ends every session of the user at once (access
   * tokens, refresh tokens) and refuses logins with `INVALID_CREDENTIALS`, like a wrong password.
   * @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND, CONCURRENT_UPDATE
   */
  setUserStatus(actor: AdminActor, input: unknown, context?: RequestContext): Promise<UserSummary>;
  /**
   * Admin/operator: revoke every device of a user and issue a one-time enrolment token (24 h) that
   * enrols a new device through `registerDeviceWithPairingToken` (with the user's password).
   * @throws FORBIDDEN, VALIDATION_FAILED, USER_NOT_FOUND, CONCURRENT_UPDATE
   */
  resetDevices(actor: AdminActor, input: unknown, context?: RequestContext): Promise<EnrolmentTokenResult>;
  /** Public JWT verification keys. */
  jwks(): JwksResult;
  /** The device CA certificate (PEM). */
  caCertificatePem(): string;
  /** A freshly signed CRL (PEM) of every revoked device certificate. */
  crlPem(): Promise<string>;
  /** Readiness: resolves when the user store answers. @throws StoreUnavailableError */
  ready(): Promise<void>;
}
