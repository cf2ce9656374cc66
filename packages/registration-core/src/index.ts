export type {
  AuthConfig,
  AuthConfigOverrides,
  CertificateAlgorithm,
  LockoutPolicy,
  ProofMode,
  ProofModes,
} from './auth-config.js';
export { CERTIFICATE_ALGORITHMS, DEFAULT_AUTH_CONFIG, resolveAuthConfig } from './auth-config.js';
export type { AuthErrorCode, FieldIssueCode } from './auth-error.js';
export { AUTH_ERROR_CODES, AuthError, FIELD_ISSUE_CODES } from './auth-error.js';
export type {
  AuditEntry,
  AuthService,
  DeviceSummary,
  IssuedDeviceCertificate,
  JwksResult,
  ListAuditInput,
  ListUsersInput,
  LoginChallenge,
  LoginChallengeInput,
  LoginInput,
  LoginResult,
  MeResult,
  PageResult,
  PairedDeviceInput,
  PairedDeviceResult,
  PairingTokenRequestInput,
  PairingTokenResult,
  Principal,
  RefreshInput,
  RefreshResult,
  RegisterInput,
  RegistrationResult,
  RenewCertificateInput,
  RenewedCertificateResult,
  RequestContext,
  RevokeTokenInput,
  SetRolesInput,
  TokenPair,
  UserSummary,
} from './auth-service.js';
export type { Permission } from './has-permission.js';
export { hasPermission, ROLE_PERMISSIONS, ROLES } from './has-permission.js';
