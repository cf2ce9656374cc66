// The role table lives in @city/ports so resource servers can share it without the use cases.
export { hasPermission, type Permission, ROLE_PERMISSIONS, ROLES } from '@city/ports';
export type {
  AuthConfig,
  AuthConfigOverrides,
  CertificateAlgorithm,
  LockoutPolicy,
  ProofMode,
  ProofModes,
} from './auth-config.js';
export { CERTIFICATE_ALGORITHMS, DEFAULT_AUTH_CONFIG, resolveAuthConfig } from './auth-config.js';
export type { AuthDeps } from './auth-deps.js';
export type { AuthErrorCode, FieldIssueCode } from './auth-error.js';
export { AUTH_ERROR_CODES, AuthError, FIELD_ISSUE_CODES } from './auth-error.js';
export type {
  AdminActor,
  AdminTargetInput,
  AuditEntry,
  AuthService,
  ChangeRoleInput,
  DeviceCertificateResult,
  DeviceSummary,
  EnrolmentTokenResult,
  IssuedDeviceCertificate,
  JwksResult,
  ListAuditInput,
  ListUsersInput,
  LoginChallenge,
  LoginChallengeInput,
  LoginInput,
  LoginResult,
  MeResult,
  OperatorActor,
  PageResult,
  PairedDeviceInput,
  PairedDeviceResult,
  PairingTokenRequestInput,
  PairingTokenResult,
  Principal,
  RecoverAccountInput,
  RecoveredDeviceResult,
  RecoveryCodesResult,
  RecoveryCodesStatus,
  RefreshChallenge,
  RefreshChallengeInput,
  RefreshInput,
  RefreshResult,
  RegisterInput,
  RegistrationResult,
  RenewCertificateInput,
  RenewedCertificateResult,
  RequestContext,
  RevokeTokenInput,
  SetRolesInput,
  SetUserStatusInput,
  TokenPair,
  UserSummary,
} from './auth-service.js';
export {
  AdminTargetInputSchema,
  ChangeRoleInputSchema,
  ListAuditInputSchema,
  ListUsersInputSchema,
  SetRolesInputSchema,
  SetUserStatusInputSchema,
} from './contracts/admin-input-schema.js';
export { RenewCertificateInputSchema } from './contracts/device-input-schema.js';
export { LoginChallengeInputSchema, LoginInputSchema } from './contracts/login-input-schema.js';
export { PairedDeviceInputSchema, PairingTokenRequestInputSchema } from './contracts/pairing-input-schema.js';
export {
  RecoverAccountInputSchema,
  RegenerateRecoveryCodesInputSchema,
} from './contracts/recovery-input-schema.js';
export { RefreshChallengeInputSchema, RefreshInputSchema } from './contracts/refresh-input-schema.js';
export { RegisterInputSchema } from './contracts/register-input-schema.js';
export type {
  AddServiceClientInput,
  IntrospectInput,
  RemoveServiceClientInput,
} from './contracts/token-input-schema.js';
export {
  AddServiceClientInputSchema,
  IntrospectInputSchema,
  RemoveServiceClientInputSchema,
  RevokeTokenInputSchema,
} from './contracts/token-input-schema.js';
export { createAuthService } from './create-auth-service.js';
export type {
  IntrospectionResult,
  NewServiceClient,
  ServiceClientSummary,
  ServiceCredentials,
} from './use-cases/manage-service-clients.js';
export type { FieldResult } from './validation/_field-result.js';
export { checkRequest } from './validation/check-request.js';
export { isValidMyNumber, myNumberCheckDigit } from './validation/my-number-check-digit.js';
export { validateBirthDate } from './validation/validate-birth-date.js';
export type { NormalizedEmail } from './validation/validate-email.js';
export { validateEmail } from './validation/validate-email.js';
export { validateMyNumber } from './validation/validate-my-number.js';
export { validatePhone } from './validation/validate-phone.js';
export type { ValidRegistration } from './validation/validate-register-input.js';
export { validateRegisterInput } from './validation/validate-register-input.js';
export type { NormalizedUsername } from './validation/validate-username.js';
export { validateUsername } from './validation/validate-username.js';
