/**
 * {@link AuthClient} calling registration-core's `AuthService` in-process (direct mode). Token-bound
 * calls authenticate the stored access token first, exactly as the API's routes do.
 */
import type { AuthService, RequestContext } from '@city/registration-core';
import type { AuthClient } from './auth-client.js';

/**
 * Wraps an opened `AuthService`; `close` releases what opened it.
 *
 * @throws never
 * @example
 * ```ts
 * const { auth, close } = await openEmbeddedAuth({ dataDir: '.city' });
 * const client = createDirectAuthClient(auth, close);
 * ```
 */
export function createDirectAuthClient(
  auth: AuthService,
  close: () => Promise<void> | void,
  context: RequestContext = { userAgent: 'city-cli' },
): AuthClient {
  return {
    mode: 'direct',
    register: (body) => auth.register(body, context),
    createLoginChallenge: () => auth.createLoginChallenge({}, context),
    login: (body) => auth.login(body, context),
    createRefreshChallenge: () => auth.createRefreshChallenge({}, context),
    refresh: (body) => auth.refresh(body, context),
    logout: async (accessToken) => auth.logout(await auth.authenticate(accessToken), context),
    revokeToken: (token, hint) => auth.revokeToken({ token, token_type_hint: hint }, context),
    me: async (accessToken) => auth.me(await auth.authenticate(accessToken)),
    requestPairingToken: async (accessToken, body) =>
      auth.requestPairingToken(await auth.authenticate(accessToken), body, context),
    registerDeviceWithPairingToken: (body) => auth.registerDeviceWithPairingToken(body, context),
    recoverAccount: (body) => auth.recoverAccount(body, context),
    regenerateRecoveryCodes: async (accessToken) =>
      auth.regenerateRecoveryCodes(await auth.authenticate(accessToken), {}, context),
    recoveryCodesStatus: async (accessToken) =>
      auth.recoveryCodesStatus(await auth.authenticate(accessToken)),
    listDevices: async (accessToken) => auth.listDevices(await auth.authenticate(accessToken)),
    revokeDevice: async (accessToken, deviceId, options) =>
      auth.revokeDevice(await auth.authenticate(accessToken), deviceId, context, options),
    close: async () => {
      await close();
    },
  };
}
