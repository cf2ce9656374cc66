/**
 * Builds the use cases over the ports. No HTTP, no engine types:
 * the API and the CLI both call this.
 */
import { createCertificateRevocationList } from '@city/client-cert';
import { systemClock, systemRandom } from '@city/ports';
import { type AuthConfig, resolveAuthConfig } from './auth-config.js';
import type { AuthDeps } from './auth-deps.js';
import type { AuthService, JwksResult } from './auth-service.js';
import { createServiceContext, nowDate } from './lib/_service-context.js';
import {
  changeRole,
  describeMe,
  getUser,
  listAudit,
  listUsers,
  resetDevices,
  setRoles,
  setUserStatus,
} from './use-cases/administer-users.js';
import { authenticateAccessToken } from './use-cases/authenticate-access-token.js';
import { createLoginChallenge } from './use-cases/create-login-challenge.js';
import { createRefreshChallenge } from './use-cases/create-refresh-challenge.js';
import { getDeviceCertificate } from './use-cases/get-device-certificate.js';
import { loginUser } from './use-cases/login-user.js';
import { logoutSession } from './use-cases/logout-session.js';
import { listDevices, renewDeviceCertificate, revokeDevice } from './use-cases/manage-devices.js';
import { recoveryCodesStatus, regenerateRecoveryCodes } from './use-cases/manage-recovery-codes.js';
import {
  addServiceClient,
  introspectToken,
  listServiceClients,
  removeServiceClient,
} from './use-cases/manage-service-clients.js';
import { recoverAccount } from './use-cases/recover-account.js';
import { refreshSession } from './use-cases/refresh-session.js';
import { registerPairedDevice } from './use-cases/register-paired-device.js';
import { registerUser } from './use-cases/register-user.js';
import { requestPairingToken } from './use-cases/request-pairing-token.js';
import { revokeToken } from './use-cases/revoke-token.js';

/**
 * Creates the auth use cases from their dependencies.
 *
 * @throws {RangeError} when `sealKey` (or a given `counterKey`) is not 32 bytes or the config is invalid
 * @example
 * ```ts
 * const auth = createAuthService({ stores, ca, keys, fieldCipher, sealKey, config: { issuer: 'https://auth.city.example' } });
 * const { uuid } = await auth.register({ username: 'alice', email: 'alice@example.com', password: '...' });
 * ```
 */
export function createAuthService(deps: AuthDeps): AuthService {
  if (!(deps.sealKey instanceof Uint8Array) || deps.sealKey.length !== 32) {
    throw new RangeError(
      `"sealKey" expected 32 bytes, got ${deps.sealKey instanceof Uint8Array ? deps.sealKey.length : typeof deps.sealKey}`,
    );
  }
  if (
    deps.counterKey !== undefined &&
    (!(deps.counterKey instanceof Uint8Array) || deps.counterKey.length !== 32)
  ) {
    throw new RangeError(
      `"counterKey" expected 32 bytes, got ${deps.counterKey instanceof Uint8Array ? deps.counterKey.length : typeof deps.counterKey}`,
    );
  }
  const config: AuthConfig = resolveAuthConfig(deps.config ?? {});
  const ctx = createServiceContext(deps, config, deps.clock ?? systemClock, deps.random ?? systemRandom);
  return {
    register: (input, request) => registerUser(ctx, input, request),
    createLoginChallenge: (input) => createLoginChallenge(ctx, input),
    login: (input, request) => loginUser(ctx, input, request),
    createRefreshChallenge: (input) => createRefreshChallenge(ctx, input),
    refresh: (input, request) => refreshSession(ctx, input, request),
    logout: (principal, request) => logoutSession(ctx, principal, request),
    revokeToken: (input, request) => revokeToken(ctx, input, request),
    me: (principal) => describeMe(ctx, principal),
    authenticate: (token) => authenticateAccessToken(ctx, token),
    introspect: (credentials, input) => introspectToken(ctx, credentials, input),
    addServiceClient: (actor, input) => addServiceClient(ctx, actor, input),
    listServiceClients: (actor) => listServiceClients(ctx, actor),
    removeServiceClient: (actor, input) => removeServiceClient(ctx, actor, input),
    requestPairingToken: (principal, input, request) => requestPairingToken(ctx, principal, input, request),
    registerDeviceWithPairingToken: (input, request) => registerPairedDevice(ctx, input, request),
    recoverAccount: (input, request) => recoverAccount(ctx, input, request),
    regenerateRecoveryCodes: (principal, input, request) =>
      regenerateRecoveryCodes(ctx, principal, input, request),
    recoveryCodesStatus: (principal) => recoveryCodesStatus(ctx, principal),
    listDevices: (principal) => listDevices(ctx, principal),
    deviceCertificate: (principal, deviceId) => getDeviceCertificate(ctx, principal, deviceId),
    revokeDevice: (principal, deviceId, request, options) =>
      revokeDevice(ctx, principal, deviceId, request, options),
    renewDeviceCertificate: (principal, input, request) =>
      renewDeviceCertificate(ctx, principal, input, request),
    listUsers: (actor, input, request) => listUsers(ctx, actor, input, request),
    getUser: (actor, input, request) => getUser(ctx, actor, input, request),
    listAudit: (actor, input, request) => listAudit(ctx, actor, input, request),
    setRoles: (actor, input, request) => setRoles(ctx, actor, input, request),
    grantRole: (actor, input, request) => changeRole(ctx, actor, 'grant', input, request),
    revokeRole: (actor, input, request) => changeRole(ctx, actor, 'revoke', input, request),
    setUserStatus: (actor, input, request) => setUserStatus(ctx, actor, input, request),
    resetDevices: (actor, input, request) => resetDevices(ctx, actor, input, request),
    jwks: (): JwksResult => ctx.keys.toJWKS() as unknown as JwksResult,
    caCertificatePem: () => ctx.ca.certificatePem,
    crlPem: async () => {
      const revoked = await ctx.stores.certificateRevocations.list();
      return createCertificateRevocationList({
        ca: ctx.ca,
        revoked: revoked.map((r) => ({
          serialNumber: r.serialNumber,
          revokedAt: new Date(r.revokedAt),
          ...(r.reason === undefined ? {} : { reason: r.reason }),
        })),
        now: nowDate(ctx),
        nextUpdateHours: ctx.config.crlNextUpdateHours,
      });
    },
    ready: () => ctx.stores.users.ping(),
  };
}
