/**
 * RFC 7662 introspection for registered services, on the embedded SQLite store: a service
 * registered by the operator learns at once that a token's session ended, its device was revoked
 * or its user disabled; wrong or missing client credentials learn nothing (one code whatever was
 * wrong), and only the operator manages services.
 */
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  loginWithSignature,
  refreshWithProof,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { memoryEngine, sqliteEngine } from './support/store-engines.js';

const OPERATOR = { operator: 'cli' };

describe('token introspection on SQLite', () => {
  const engine = useEngine(sqliteEngine);

  async function service() {
    const h = engine.harness();
    const client = await h.auth.addServiceClient(OPERATOR, {
      client_id: `orders-${Math.floor(Math.random() * 1e9)}`,
      name: 'Orders',
    });
    const credentials = { clientId: client.clientId, clientSecret: client.clientSecret };
    return { h, client, credentials };
  }

  it('answers an active token with its claims, and active: false after logout for every token of the session', async () => {
    const { h, credentials } = await service();
    const { reg, login, principal } = await signedInUser(h.auth);
    const second = await refreshWithProof(h.auth, login.refreshToken, reg.privateKeyPem);
    expect(await h.auth.introspect(credentials, { token: second.accessToken })).toMatchObject({
      active: true,
      token_type: 'Bearer',
      sub: reg.uuid,
      device_id: reg.deviceId,
      roles: ['user'],
      iss: 'https://auth.test.city',
      aud: 'city-test',
    });
    await h.auth.logout(await h.auth.authenticate(second.accessToken));
    for (const token of [login.accessToken, second.accessToken]) {
      expect(await h.auth.introspect(credentials, { token, token_type_hint: 'access_token' })).toEqual({
        active: false,
      });
    }
    expect(principal.userUuid).toBe(reg.uuid);
  });

  it('answers active: false for a revoked device, a disabled user, a refresh token and garbage', async () => {
    const { h, credentials } = await service();
    const a = await signedInUser(h.auth);
    await h.auth.revokeDevice(a.principal, a.reg.deviceId, {}, { confirmLastDevice: true });
    expect(await h.auth.introspect(credentials, { token: a.login.accessToken })).toEqual({ active: false });

    const b = await signedInUser(h.auth);
    await h.auth.setUserStatus(OPERATOR, { user_uuid: b.reg.uuid, status: 'disabled' });
    expect(await h.auth.introspect(credentials, { token: b.login.accessToken })).toEqual({ active: false });

    const c = await signedInUser(h.auth);
    expect(await h.auth.introspect(credentials, { token: c.login.refreshToken })).toEqual({ active: false });
    expect(await h.auth.introspect(credentials, { token: 'not.a.token' })).toEqual({ active: false });
  });

  it('token scanning without credentials: a wrong secret, an unknown or removed client, or none at all is SERVICE_CLIENT_INVALID', async () => {
    const { h, client, credentials } = await service();
    const { login } = await signedInUser(h.auth);
    const input = { token: login.accessToken };
    for (const bad of [
      { ...credentials, clientSecret: `${credentials.clientSecret}x` },
      { ...credentials, clientId: 'no-such-service' },
      { clientId: undefined, clientSecret: undefined },
      { clientId: credentials.clientId, clientSecret: '' },
    ]) {
      await expectAuthError(h.auth.introspect(bad, input), 'SERVICE_CLIENT_INVALID');
    }
    await h.auth.removeServiceClient(OPERATOR, { client_id: client.clientId });
    await expectAuthError(h.auth.introspect(credentials, input), 'SERVICE_CLIENT_INVALID');
  });

  it('validates the body after the client is authenticated', async () => {
    const { h, credentials } = await service();
    await expectAuthError(h.auth.introspect(credentials, {}), 'VALIDATION_FAILED');
    await expectAuthError(h.auth.introspect(credentials, { token: 'x', extra: 1 }), 'VALIDATION_FAILED');
    await expectAuthError(
      h.auth.introspect(credentials, { token: 'x'.repeat(16 * 1024 + 1) }),
      'VALIDATION_FAILED',
    );
  });

  it('only the operator manages services; ids are unique; the secret is shown once and listed never', async () => {
    const { h, client } = await service();
    const { principal } = await signedInUser(h.auth);
    await expectAuthError(h.auth.addServiceClient(principal, { client_id: 'sneaky' }), 'FORBIDDEN');
    await expectAuthError(h.auth.listServiceClients(principal), 'FORBIDDEN');
    await expectAuthError(h.auth.removeServiceClient(principal, { client_id: client.clientId }), 'FORBIDDEN');
    await expectAuthError(
      h.auth.addServiceClient(OPERATOR, { client_id: client.clientId }),
      'SERVICE_CLIENT_EXISTS',
    );
    await expectAuthError(h.auth.addServiceClient(OPERATOR, { client_id: 'A b' }), 'VALIDATION_FAILED');
    expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await h.auth.listServiceClients(OPERATOR);
    expect(listed.find((c) => c.clientId === client.clientId)).toEqual({
      clientId: client.clientId,
      name: 'Orders',
      createdAt: client.createdAt,
    });
    expect(JSON.stringify(listed)).not.toContain(client.clientSecret);
    await expectAuthError(
      h.auth.removeServiceClient(OPERATOR, { client_id: 'never-added' }),
      'SERVICE_CLIENT_NOT_FOUND',
    );
  });
});

describe('a store that keeps no service clients', () => {
  const engine = useEngine(memoryEngine);

  it('refuses to register one (SERVICE_CLIENTS_UNSUPPORTED) and answers every introspection SERVICE_CLIENT_INVALID', async () => {
    const h = engine.harness();
    await expectAuthError(
      h.auth.addServiceClient(OPERATOR, { client_id: 'orders' }),
      'SERVICE_CLIENTS_UNSUPPORTED',
    );
    const { reg } = await signedInUser(h.auth);
    const login = await loginWithSignature(h.auth, {
      identifier: reg.uuid,
      deviceId: reg.deviceId,
      privateKeyPem: reg.privateKeyPem,
    });
    await expectAuthError(
      h.auth.introspect({ clientId: 'orders', clientSecret: 'x' }, { token: login.accessToken }),
      'SERVICE_CLIENT_INVALID',
    );
  });
});
