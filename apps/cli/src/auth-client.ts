/**
 * What the commands need from the service, independent of transport: direct mode calls
 * registration-core's `AuthService` in-process, API mode calls the HTTP API. Both return the
 * service's own JSON-safe result objects, so every command prints the same thing in either mode.
 */
import type {
  DeviceSummary,
  LoginChallenge,
  LoginResult,
  MeResult,
  PairedDeviceResult,
  PairingTokenResult,
  RecoveredDeviceResult,
  RecoveryCodesResult,
  RecoveryCodesStatus,
  RefreshResult,
  RegistrationResult,
} from '@city/registration-core';

/** The use cases the CLI calls. Bodies are the service's raw input shapes (snake_case fields). */
export interface AuthClient {
  /** `direct` or `api`. */
  readonly mode: 'direct' | 'api';
  register(body: Readonly<Record<string, unknown>>): Promise<RegistrationResult>;
  createLoginChallenge(): Promise<LoginChallenge>;
  login(body: Readonly<Record<string, unknown>>): Promise<LoginResult>;
  /** A single-use nonce the device signs to prove possession of its key when refreshing. */
  createRefreshChallenge(): Promise<LoginChallenge>;
  /** Rotates the refresh token; the body carries `refresh_token`, `challenge_id` and `signature`. */
  refresh(body: Readonly<Record<string, unknown>>): Promise<RefreshResult>;
  /** Ends the session of `accessToken` (access token and refresh family revoked). */
  logout(accessToken: string): Promise<void>;
  /** RFC 7009 revocation of either token. */
  revokeToken(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
  me(accessToken: string): Promise<MeResult>;
  requestPairingToken(
    accessToken: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<PairingTokenResult>;
  registerDeviceWithPairingToken(body: Readonly<Record<string, unknown>>): Promise<PairedDeviceResult>;
  /** Enrols a device with username, password and one recovery code (`recovery_code`). */
  recoverAccount(body: Readonly<Record<string, unknown>>): Promise<RecoveredDeviceResult>;
  /** A new set of recovery codes for the session's account (shown once); the old set stops working. */
  regenerateRecoveryCodes(accessToken: string): Promise<RecoveryCodesResult>;
  recoveryCodesStatus(accessToken: string): Promise<RecoveryCodesStatus>;
  listDevices(accessToken: string): Promise<readonly DeviceSummary[]>;
  /** `confirmLastDevice` is required to revoke the account's last active device. */
  revokeDevice(
    accessToken: string,
    deviceId: string,
    options?: { readonly confirmLastDevice?: boolean },
  ): Promise<DeviceSummary>;
  /** Releases stores and connections. */
  close(): Promise<void>;
}
