/**
 * Layered defence: every security alert kind with its trigger (and the cases that must not
 * trigger it), raised as a `security_alert` audit event (what admins list) and a notification;
 * every permission denial and every admin action audited. Counters run over the embedded SQLite
 * store (a real adapter); notifications are read from the in-memory notifier.
 */
import type { AuditEvent, Notification } from '@city/ports';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth-service.js';
import {
  expectAuthError,
  loginWithSignature,
  PASSWORD,
  registerWithServerKey,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { createMemoryStores, type MemoryStores } from './support/memory-stores.js';
import { type StoreEngine, sqliteEngine } from './support/store-engines.js';

const memory: StoreEngine = {
  name: 'memory',
  skipReason: undefined,
  open: async () => ({ stores: createMemoryStores(), close: async () => {} }),
};

const ADMIN: Principal = {
  userUuid: '00000000-0000-4000-8000-00000000000a',
  username: 'admin',
  roles: ['admin'],
  deviceId: 'admin-device',
  sessionId: 'admin-session',
  tokenId: 'admin-token',
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
};

for (const store of [memory, sqliteEngine]) {
  describe(`security alerts (${store.name})`, () => {
    const engine = useEngine(store);

    async function alerts(h: ReturnType<typeof engine.harness>, userUuid?: string): Promise<AuditEvent[]> {
      const page = await h.stores.audit.list({ userUuid, limit: 200 });
      return page.items.filter((e) => e.type === 'security_alert');
    }
    /** Alerts about one address (the stores are shared by the tests of a file). */
    async function alertsFrom(h: ReturnType<typeof engine.harness>, ip: string): Promise<AuditEvent[]> {
      return (await alerts(h)).filter((e) => e.ip === ip);
    }
    function notifications(
      h: ReturnType<typeof engine.harness>,
      kind: string,
      match: (n: Notification) => boolean,
    ): Notification[] {
      const stores = h.stores as Partial<MemoryStores>;
      return (stores.notifications ?? []).filter(
        (n) => n.type === 'security_alert' && n.data.kind === kind && match(n),
      );
    }
    const isMemory = store.name === 'memory';

    it('new_address_login: a login from an address the account never logged in from (not on the first login)', async () => {
      const h = engine.harness();
      const reg = await registerWithServerKey(h.auth);
      const who = { identifier: reg.username, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem };
      await loginWithSignature(h.auth, who, { ip: '198.51.100.1' });
      await loginWithSignature(h.auth, who, { ip: '198.51.100.1' });
      expect(await alerts(h, reg.uuid)).toEqual([]);
      await loginWithSignature(h.auth, who, { ip: '203.0.113.9' });
      const raised = await alerts(h, reg.uuid);
      expect(raised.map((e) => e.reason)).toEqual(['new_address_login']);
      expect(raised[0]).toMatchObject({ ip: '203.0.113.9', deviceId: reg.deviceId });
      // Known from now on.
      await loginWithSignature(h.auth, who, { ip: '203.0.113.9' });
      expect(await alerts(h, reg.uuid)).toHaveLength(1);
      if (isMemory) {
        expect(notifications(h, 'new_address_login', (n) => n.userUuid === reg.uuid)).toEqual([
          expect.objectContaining({
            userUuid: reg.uuid,
            data: expect.objectContaining({ ip: '203.0.113.9' }),
          }),
        ]);
      }
    });

    it('new_address_login: an address is forgotten after knownLoginContextDays', async () => {
      const h = engine.harness({ lockout: { knownLoginContextDays: 30 } });
      const reg = await registerWithServerKey(h.auth);
      const who = { identifier: reg.username, deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem };
      await loginWithSignature(h.auth, who, { ip: '198.51.100.1' });
      h.clock.advance(29 * 24 * 3600);
      await loginWithSignature(h.auth, who, { ip: '198.51.100.1' });
      expect(await alerts(h, reg.uuid)).toEqual([]);
      h.clock.advance(2 * 24 * 3600);
      // The device certificate is valid for a year; the address window (30 days from its first
      // login) has passed.
      await loginWithSignature(h.auth, who, { ip: '198.51.100.1' });
      expect((await alerts(h, reg.uuid)).map((e) => e.reason)).toContain('new_address_login');
    });

    it('new_device_login and pairing_token_used: a paired device is announced when added and at its first login', async () => {
      const h = engine.harness();
      const a = await signedInUser(h.auth);
      expect(await alerts(h, a.reg.uuid)).toEqual([]);
      const issued = await h.auth.requestPairingToken(a.principal, {}, { ip: '198.51.100.2' });
      const paired = await h.auth.registerDeviceWithPairingToken(
        {
          pairing_token: issued.token,
          username: a.reg.username,
          password: PASSWORD,
          key_algorithm: 'ed25519',
        },
        { ip: '198.51.100.3' },
      );
      let raised = await alerts(h, a.reg.uuid);
      expect(raised.map((e) => e.reason)).toEqual(['pairing_token_used']);
      expect(raised[0]).toMatchObject({ deviceId: paired.deviceId, ip: '198.51.100.3' });
      expect(raised[0]?.detail).toMatchObject({ pairedFrom: a.reg.deviceId });

      await loginWithSignature(h.auth, {
        identifier: a.reg.username,
        deviceId: paired.deviceId,
        privateKeyPem: paired.privateKeyPem as string,
      });
      raised = await alerts(h, a.reg.uuid);
      expect(raised.map((e) => e.reason).sort()).toEqual(['new_device_login', 'pairing_token_used']);
      expect(raised.find((e) => e.reason === 'new_device_login')?.deviceId).toBe(paired.deviceId);
      // The first device logging in again raises nothing.
      await loginWithSignature(h.auth, {
        identifier: a.reg.username,
        deviceId: a.reg.deviceId,
        privateKeyPem: a.reg.privateKeyPem,
      });
      expect(await alerts(h, a.reg.uuid)).toHaveLength(2);
      if (isMemory) {
        expect(notifications(h, 'pairing_token_used', (n) => n.userUuid === a.reg.uuid)).toHaveLength(1);
        expect(notifications(h, 'new_device_login', (n) => n.userUuid === a.reg.uuid)).toHaveLength(1);
      }
    });

    it('recovery_code_used: using a recovery code is announced to the owner and listed to admins', async () => {
      const h = engine.harness();
      const a = await signedInUser(h.auth);
      const recovered = await h.auth.recoverAccount(
        {
          username: a.reg.username,
          password: PASSWORD,
          recovery_code: a.reg.recoveryCodes[0],
          key_algorithm: 'ed25519',
        },
        { ip: '198.51.100.40' },
      );
      const raised = await alerts(h, a.reg.uuid);
      expect(raised.map((e) => e.reason)).toEqual(['recovery_code_used']);
      expect(raised[0]).toMatchObject({ deviceId: recovered.deviceId, ip: '198.51.100.40' });
      expect(raised[0]?.detail).toEqual({ recoveryCodesRemaining: 9 });
      const listed = await h.auth.listAudit(ADMIN, { user_uuid: a.reg.uuid, limit: 50 });
      expect(listed.items.filter((e) => e.type === 'security_alert').map((e) => e.reason)).toEqual([
        'recovery_code_used',
      ]);
      // A refused code raises nothing.
      await expectAuthError(
        h.auth.recoverAccount({
          username: a.reg.username,
          password: PASSWORD,
          recovery_code: a.reg.recoveryCodes[0],
        }),
        'INVALID_CREDENTIALS',
      );
      expect(await alerts(h, a.reg.uuid)).toHaveLength(1);
      if (isMemory) {
        const sent = notifications(h, 'recovery_code_used', (n) => n.userUuid === a.reg.uuid);
        expect(sent).toHaveLength(1);
        expect(sent[0]?.data).toMatchObject({ deviceId: recovered.deviceId, recoveryCodesRemaining: 9 });
      }
    });

    it('enrolment_token_used: redeeming an operator enrolment token is announced, not as a pairing', async () => {
      const h = engine.harness();
      const a = await signedInUser(h.auth);
      const reset = await h.auth.resetDevices({ operator: 'ops' }, { user_uuid: a.reg.uuid });
      const enrolled = await h.auth.registerDeviceWithPairingToken(
        {
          pairing_token: reset.token,
          username: a.reg.username,
          password: PASSWORD,
          key_algorithm: 'ed25519',
        },
        { ip: '198.51.100.41' },
      );
      const raised = await alerts(h, a.reg.uuid);
      expect(raised.map((e) => e.reason)).toEqual(['enrolment_token_used']);
      expect(raised[0]).toMatchObject({ deviceId: enrolled.deviceId, ip: '198.51.100.41' });
      expect(raised[0]?.detail).toEqual({ issuedBy: 'operator:ops' });
      if (isMemory) {
        expect(notifications(h, 'enrolment_token_used', (n) => n.userUuid === a.reg.uuid)).toHaveLength(1);
        expect(notifications(h, 'pairing_token_used', (n) => n.userUuid === a.reg.uuid)).toHaveLength(0);
      }
    });

    it('credential_stuffing: failures on many accounts from one address raise one alert; one account failing repeatedly does not', async () => {
      const h = engine.harness({
        lockout: {
          stuffingAlertAccounts: 4,
          accountFreeAttempts: 100,
          ipMaxFailures: 1000,
          alertThreshold: 0,
        },
      });
      const victims = [];
      for (let i = 0; i < 2; i++) victims.push(await registerWithServerKey(h.auth));
      const attempt = (identifier: string, ip: string) =>
        expectAuthError(
          h.auth.login(
            { identifier, password: 'guessed password 1', proof: 'mtls' },
            { ip, peerCertificatePem: 'x' },
          ),
          'INVALID_CREDENTIALS',
        );
      // One account guessed many times from one address: not stuffing.
      for (let i = 0; i < 6; i++) await attempt(victims[0]!.username, '192.0.2.50');
      expect(await alertsFrom(h, '192.0.2.50')).toEqual([]);
      // Known and unknown identifiers from another address: the fourth distinct one raises it.
      for (const identifier of [victims[0]!.username, victims[1]!.username, 'nobody-1']) {
        await attempt(identifier, '192.0.2.66');
      }
      expect(await alertsFrom(h, '192.0.2.66')).toEqual([]);
      await attempt('nobody-2', '192.0.2.66');
      await attempt('nobody-3', '192.0.2.66');
      const raised = await alertsFrom(h, '192.0.2.66');
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ reason: 'credential_stuffing', ip: '192.0.2.66' });
      expect(raised[0]?.userUuid).toBeUndefined();
      expect(raised[0]?.detail).toMatchObject({ accounts: 4 });
      // Visible to admins in the audit listing.
      const listed = await h.auth.listAudit(ADMIN, { limit: 100 });
      expect(
        listed.items.some((e) => e.type === 'security_alert' && e.reason === 'credential_stuffing'),
      ).toBe(true);
      if (isMemory) {
        expect(notifications(h, 'credential_stuffing', (n) => n.data.ip === '192.0.2.66')).toEqual([
          expect.objectContaining({ data: expect.objectContaining({ ip: '192.0.2.66', accounts: 4 }) }),
        ]);
      }
    });

    it('credential_stuffing counts failed pairings too', async () => {
      const h = engine.harness({ lockout: { stuffingAlertAccounts: 2, accountFreeAttempts: 100 } });
      for (const username of ['someone-a', 'someone-b']) {
        await expectAuthError(
          h.auth.registerDeviceWithPairingToken(
            { pairing_token: 'x'.repeat(43), username, password: 'guessed password 1' },
            { ip: '192.0.2.77' },
          ),
          'INVALID_CREDENTIALS',
        );
      }
      expect((await alertsFrom(h, '192.0.2.77')).map((e) => e.reason)).toEqual(['credential_stuffing']);
    });

    it('every permission denial is audited with who, what and from where', async () => {
      const h = engine.harness();
      const a = await signedInUser(h.auth);
      await expectAuthError(h.auth.listUsers(a.principal, {}, { ip: '198.51.100.4' }), 'FORBIDDEN');
      await expectAuthError(h.auth.listAudit(a.principal, {}, { ip: '198.51.100.4' }), 'FORBIDDEN');
      await expectAuthError(
        h.auth.setRoles(a.principal, { user_uuid: a.reg.uuid, roles: ['admin'] }, { ip: '198.51.100.4' }),
        'FORBIDDEN',
      );
      const denied = (await h.stores.audit.list({ userUuid: a.reg.uuid, limit: 50 })).items.filter(
        (e) => e.type === 'permission_denied',
      );
      expect(denied.map((e) => e.reason).sort()).toEqual(['audit:read', 'roles:manage', 'users:read']);
      for (const event of denied)
        expect(event).toMatchObject({ ip: '198.51.100.4', deviceId: a.reg.deviceId });
      // Nothing changed.
      expect((await h.stores.users.getByUuid(a.reg.uuid))?.roles).toEqual(['user']);
    });

    it('every admin action is audited: listings (admin_action) and role changes (role_change)', async () => {
      const h = engine.harness();
      const a = await signedInUser(h.auth);
      const admin: Principal = { ...ADMIN, userUuid: crypto.randomUUID() };
      await h.auth.listUsers(admin, { limit: 5 }, { ip: '198.51.100.5' });
      await h.auth.listAudit(admin, { user_uuid: a.reg.uuid }, { ip: '198.51.100.5' });
      await h.auth.setRoles(
        admin,
        { user_uuid: a.reg.uuid, roles: ['user', 'moderator'] },
        { ip: '198.51.100.5' },
      );
      const mine = (await h.stores.audit.list({ userUuid: admin.userUuid, limit: 50 })).items;
      expect(
        mine
          .filter((e) => e.type === 'admin_action')
          .map((e) => e.reason)
          .sort(),
      ).toEqual(['list_audit', 'list_users']);
      expect(mine.find((e) => e.reason === 'list_audit')?.detail).toMatchObject({ subject: a.reg.uuid });
      const roleChange = (await h.stores.audit.list({ userUuid: a.reg.uuid, limit: 50 })).items.find(
        (e) => e.type === 'role_change',
      );
      expect(roleChange?.detail).toMatchObject({ by: admin.userUuid, to: 'user,moderator' });
    });
  });
}
