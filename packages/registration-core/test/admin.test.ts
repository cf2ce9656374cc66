/**
 * Roles and admin use cases: permission checks, role changes audited and
 * effective at once, user and audit listings refused to plain users.
 */

import { hasPermission, ROLE_PERMISSIONS } from '@city/ports';
import { describe, expect, it } from 'vitest';
import {
  expectAuthError,
  type Harness,
  loginWithSignature,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { realEngines } from './support/store-engines.js';

async function makeAdmin(h: Harness, uuid: string) {
  const user = await h.stores.users.getByUuid(uuid);
  await h.stores.users.update(uuid, { roles: ['user', 'admin'] }, user?.version ?? 0, h.clock.now());
}

describe('hasPermission', () => {
  it.each([
    [['user'], 'profile:read', true],
    [['user'], 'audit:read', false],
    [['moderator'], 'audit:read', true],
    [['moderator'], 'roles:manage', false],
    [['admin'], 'roles:manage', true],
    [['user', 'admin'], 'users:read', true],
    [[], 'profile:read', false],
    [['root', '__proto__', 'constructor'], 'roles:manage', false],
  ] as const)('%j has %s: %s', (roles, permission, expected) => {
    expect(hasPermission(roles, permission)).toBe(expected);
  });
  it('each role includes every permission of the roles below it', () => {
    for (const p of ROLE_PERMISSIONS.user) expect(ROLE_PERMISSIONS.moderator).toContain(p);
    for (const p of ROLE_PERMISSIONS.moderator) expect(ROLE_PERMISSIONS.admin).toContain(p);
  });
});

for (const store of realEngines) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);
      describe('admin use cases', () => {
        it('plain users get FORBIDDEN for every admin operation', async () => {
          const h = engine.harness();
          const { principal, reg } = await signedInUser(h.auth);
          await expectAuthError(h.auth.listUsers(principal), 'FORBIDDEN');
          await expectAuthError(h.auth.listAudit(principal), 'FORBIDDEN');
          await expectAuthError(
            h.auth.setRoles(principal, { user_uuid: reg.uuid, roles: ['admin'] }),
            'FORBIDDEN',
          );
          // A principal claiming roles it does not have is re-read by authenticate: roles come from the store.
          expect(
            (
              await h.auth.authenticate(
                (
                  await loginWithSignature(h.auth, {
                    identifier: reg.uuid,
                    deviceId: reg.deviceId,
                    privateKeyPem: reg.privateKeyPem,
                  })
                ).accessToken,
              )
            ).roles,
          ).toEqual(['user']);
        });

        it('an admin sets roles (audited, effective on the next request), lists users and the audit trail', async () => {
          const h = engine.harness();
          const admin = await signedInUser(h.auth);
          const target = await signedInUser(h.auth);
          await makeAdmin(h, admin.reg.uuid);
          const adminPrincipal = await h.auth.authenticate(admin.login.accessToken);
          expect(adminPrincipal.roles).toContain('admin');
          const updated = await h.auth.setRoles(
            adminPrincipal,
            { user_uuid: target.reg.uuid, roles: ['moderator', 'user'] },
            { ip: '203.0.113.9' },
          );
          expect(updated.roles).toEqual(['user', 'moderator']);
          const moderator = await h.auth.authenticate(target.login.accessToken);
          expect(moderator.roles).toEqual(['user', 'moderator']);
          const audit = await h.auth.listAudit(moderator, { user_uuid: target.reg.uuid, limit: 20 });
          const change = audit.items.find((e) => e.type === 'role_change');
          expect(change?.detail).toMatchObject({ from: 'user', to: 'user,moderator', by: admin.reg.uuid });
          expect(Date.parse(change?.at ?? '')).not.toBeNaN();
          const page = await h.auth.listUsers(adminPrincipal, { limit: 1 });
          expect(page.items).toHaveLength(1);
          expect(page.items[0]?.email).toContain('@example.com');
          await expectAuthError(h.auth.listUsers(moderator), 'FORBIDDEN');
        });

        it('setRoles validates its input and reports unknown users', async () => {
          const h = engine.harness();
          const admin = await signedInUser(h.auth);
          await makeAdmin(h, admin.reg.uuid);
          const p = await h.auth.authenticate(admin.login.accessToken);
          await expectAuthError(
            h.auth.setRoles(p, { user_uuid: '00000000-0000-4000-8000-000000000000', roles: ['user'] }),
            'USER_NOT_FOUND',
          );
          for (const bad of [
            { user_uuid: admin.reg.uuid, roles: [] },
            { user_uuid: admin.reg.uuid, roles: ['root'] },
            { user_uuid: admin.reg.uuid, roles: ['user', 'user'] },
            { user_uuid: admin.reg.uuid, roles: { $gt: '' } },
            { user_uuid: { $ne: null }, roles: ['user'] },
            { user_uuid: 'not-a-uuid', roles: ['user'] },
            { user_uuid: admin.reg.uuid, roles: ['user'], extra: 1 },
          ]) {
            await expectAuthError(h.auth.setRoles(p, bad), 'VALIDATION_FAILED');
          }
          await expectAuthError(h.auth.listUsers(p, { limit: 0 }), 'VALIDATION_FAILED');
          await expectAuthError(h.auth.listUsers(p, { limit: 1000 }), 'VALIDATION_FAILED');
          await expectAuthError(h.auth.listAudit(p, { user_uuid: 'x' }), 'VALIDATION_FAILED');
        });

        it('a forged page cursor is VALIDATION_FAILED on cursor; a returned one pages on', async () => {
          const h = engine.harness();
          const admin = await signedInUser(h.auth);
          await signedInUser(h.auth);
          await makeAdmin(h, admin.reg.uuid);
          const p = await h.auth.authenticate(admin.login.accessToken);
          const first = await h.auth.listUsers(p, { limit: 1 });
          expect(first.cursor).toBeTypeOf('string');
          const second = await h.auth.listUsers(p, { limit: 1, cursor: first.cursor });
          expect(second.items).toHaveLength(1);
          expect(second.items[0]?.uuid).not.toBe(first.items[0]?.uuid);
          const audit = await h.auth.listAudit(p, { limit: 1 });
          expect(audit.cursor).toBeTypeOf('string');
          expect((await h.auth.listAudit(p, { limit: 1, cursor: audit.cursor })).items).toHaveLength(1);
          for (const cursor of ['abc', 'A'.repeat(40), 'not-a-cursor']) {
            for (const list of [
              () => h.auth.listUsers(p, { cursor }),
              () => h.auth.listAudit(p, { cursor }),
            ]) {
              const error = await expectAuthError(list(), 'VALIDATION_FAILED');
              expect(error.fields).toEqual([
                expect.objectContaining({ field: 'cursor', code: 'INVALID_FORMAT' }),
              ]);
            }
          }
        });
      });
    },
  );
}

describe('role grants by the operator', () => {
  for (const store of realEngines.slice(0, 1)) {
    const engine = useEngine(store);
    it('grant and revoke one role by username, audited once per change, user always kept', async () => {
      const h = engine.harness();
      const OPERATOR = { operator: 'cli' };
      const { reg, login } = await signedInUser(h.auth);
      const granted = await h.auth.grantRole(OPERATOR, {
        username: reg.username.toUpperCase(),
        role: 'admin',
      });
      expect(granted.roles).toEqual(['user', 'admin']);
      // Effective on the next request of a live session.
      expect((await h.auth.authenticate(login.accessToken)).roles).toEqual(['user', 'admin']);
      expect((await h.auth.grantRole(OPERATOR, { username: reg.username, role: 'admin' })).roles).toEqual([
        'user',
        'admin',
      ]);
      const revoked = await h.auth.revokeRole(OPERATOR, { user_uuid: reg.uuid, role: 'admin' });
      expect(revoked.roles).toEqual(['user']);
      expect((await h.auth.authenticate(login.accessToken)).roles).toEqual(['user']);
      const changes = (await h.auth.listAudit(OPERATOR, { user_uuid: reg.uuid, limit: 50 })).items.filter(
        (e) => e.type === 'role_change',
      );
      // One event per change (the repeated grant wrote nothing); same-millisecond events have no fixed order.
      expect(changes).toHaveLength(2);
      expect(changes.map((e) => e.detail)).toEqual(
        expect.arrayContaining([
          { from: 'user,admin', to: 'user', by: 'operator:cli' },
          { from: 'user', to: 'user,admin', by: 'operator:cli' },
        ]),
      );
      expect((await h.auth.getUser(OPERATOR, { username: reg.username })).uuid).toBe(reg.uuid);
      await expectAuthError(h.auth.getUser(OPERATOR, { username: 'no-such-user' }), 'USER_NOT_FOUND');
      await expectAuthError(
        h.auth.getUser(await h.auth.authenticate(login.accessToken), { user_uuid: reg.uuid }),
        'FORBIDDEN',
      );
      await expectAuthError(
        h.auth.revokeRole(OPERATOR, { user_uuid: reg.uuid, role: 'user' }),
        'VALIDATION_FAILED',
      );
      await expectAuthError(
        h.auth.grantRole(OPERATOR, { user_uuid: reg.uuid, role: 'root' }),
        'VALIDATION_FAILED',
      );
      await expectAuthError(
        h.auth.grantRole(OPERATOR, { username: 'no-such-user', role: 'admin' }),
        'USER_NOT_FOUND',
      );
      await expectAuthError(
        h.auth.grantRole((await signedInUser(h.auth)).principal, { user_uuid: reg.uuid, role: 'admin' }),
        'FORBIDDEN',
      );
    });
  }
});
