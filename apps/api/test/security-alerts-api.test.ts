/**
 * Security alerts and audited refusals as admins see them over HTTP (GET /admin/audit): a login
 * from a new address, credential stuffing from one address, and a user's refused admin call.
 * Each alert kind's trigger is tested in registration-core's security-alerts test.
 */
import { signChallenge } from '@city/client-cert';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, grantRoles, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface AuditItem {
  type: string;
  reason?: string;
  ip?: string;
  userUuid?: string;
}

async function auditAs(accessToken: string, query = ''): Promise<AuditItem[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/admin/audit?limit=100${query}`,
    headers: bearer(accessToken),
  });
  expect(response.statusCode).toBe(200);
  return json<{ items: AuditItem[] }>(response).items;
}

describe('security alerts in the audit API', () => {
  it('a login from a new address and credential stuffing from one address are listed for admins', async () => {
    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const user = await registerAndLogin(t.app);

    const challenge = json<{ challengeId: string; challenge: string }>(
      await t.app.inject({ method: 'POST', url: '/login/challenge' }),
    );
    const fromElsewhere = await t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '203.0.113.7',
      payload: {
        identifier: user.username,
        password: user.password,
        challenge_id: challenge.challengeId,
        signature: signChallenge(user.privateKeyPem, challenge.challenge),
        device_id: user.deviceId,
      },
    });
    expect(fromElsewhere.statusCode).toBe(200);
    const forUser = await auditAs(admin.accessToken, `&user_uuid=${user.uuid}`);
    expect(forUser).toContainEqual(
      expect.objectContaining({ type: 'security_alert', reason: 'new_address_login', ip: '203.0.113.7' }),
    );

    for (let i = 0; i < 10; i++) {
      const { challengeId } = json<{ challengeId: string }>(
        await t.app.inject({ method: 'POST', url: '/login/challenge', remoteAddress: '198.51.100.99' }),
      );
      const failed = await t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '198.51.100.99',
        payload: {
          identifier: `victim-${i}`,
          password: 'guessed password 1',
          challenge_id: challengeId,
          signature: 'AAAA',
          device_id: 'some-device',
        },
      });
      expect(failed.statusCode).toBe(401);
    }
    const all = await auditAs(admin.accessToken);
    expect(all.filter((e) => e.type === 'security_alert' && e.reason === 'credential_stuffing')).toEqual([
      expect.objectContaining({ ip: '198.51.100.99' }),
    ]);
  });

  it("a user's refused admin call is audited as permission_denied", async () => {
    const admin = await registerAndLogin(t.app);
    await grantRoles(t.runtime, admin.uuid, ['admin']);
    const user = await registerAndLogin(t.app);
    const refused = await t.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: bearer(user.accessToken),
    });
    expect(refused.statusCode).toBe(403);
    const entries = await auditAs(admin.accessToken, `&user_uuid=${user.uuid}`);
    expect(entries).toContainEqual(
      expect.objectContaining({ type: 'permission_denied', reason: 'users:read' }),
    );
  });
});
