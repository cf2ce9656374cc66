/**
 * `city admin ...` as subprocesses on one data directory: the first admin made by the operator,
 * user listing, a live session cut off by `admin disable`, logins refused like a wrong password
 * until `admin enable`, and every change in `admin audit` as operator:cli. Exit codes: 0 ok, 1 an
 * unknown user, 2 a bad role or option.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });

interface UserView {
  uuid: string;
  username: string;
  email: string;
  roles: string[];
  status: string;
  createdAt: string;
}

beforeAll(async () => {
  ws = await makeWorkspace('operator');
});
afterAll(() => ws.cleanup());

describe('city admin (tests run in order, sharing one data dir)', () => {
  let uuid: string;

  it('users lists nobody on a new deployment, then the registered user', async () => {
    const empty = await city(['admin', 'users', '--json']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.json()).toEqual([]);
    const reg = await city(
      [
        'register',
        '--username',
        'olivia',
        '--email',
        'olivia@example.com',
        '--password-stdin',
        '--profile',
        'olivia',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(reg.code, reg.stderr).toBe(0);
    uuid = reg.json<{ uuid: string }>().uuid;
    const login = await city(['login', '--password-stdin', '--profile', 'olivia'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const users = await city(['admin', 'users', '--json']);
    expect(users.json<UserView[]>()).toEqual([
      {
        uuid,
        username: 'olivia',
        email: 'olivia@example.com',
        roles: ['user'],
        status: 'active',
        createdAt: expect.any(String),
      },
    ]);
    const text = await city(['admin', 'users']);
    expect(text.stdout.split('\n')[0]).toMatch(/^USERNAME\s+UUID\s+STATUS\s+ROLES\s+EMAIL\s+CREATED$/);
    expect(text.stdout).toContain(uuid);
  });

  it('grant-role makes the first admin, effective on the live session; revoke-role takes it back', async () => {
    const grant = await city(['admin', 'grant-role', 'olivia', 'admin', '--json']);
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.json<UserView>().roles).toEqual(['user', 'admin']);
    const who = await city(['whoami', '--profile', 'olivia', '--json']);
    expect(who.json<UserView>().roles).toEqual(['user', 'admin']);
    const revoke = await city(['admin', 'revoke-role', uuid, 'admin']);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toBe('olivia: roles user\n');
    const again = await city(['admin', 'grant-role', 'olivia', 'moderator']);
    expect(again.stdout).toBe('olivia: roles user, moderator\n');
  });

  it('refuses a bad role or option (exit 2) and an unknown user (exit 1)', async () => {
    const badRole = await city(['admin', 'grant-role', 'olivia', 'root']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/^error USAGE_ERROR: .*root/);
    const keepUser = await city(['admin', 'revoke-role', 'olivia', 'user']);
    expect(keepUser.code).toBe(1);
    expect(keepUser.stderr).toMatch(/^error VALIDATION_FAILED: /);
    const api = await city(['admin', 'users', '--api', 'http://127.0.0.1:9']);
    expect(api.code).toBe(2);
    const limit = await city(['admin', 'audit', '--limit', '0']);
    expect(limit.code).toBe(2);
    for (const args of [
      ['admin', 'disable', 'nobody-here'],
      ['admin', 'grant-role', 'nobody-here', 'admin'],
      ['admin', 'audit', '--user', 'nobody-here'],
    ]) {
      const run = await city(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/^error USER_NOT_FOUND: /);
    }
  });

  it('disable cuts off the live session at once and refuses logins like a wrong password; enable lets the user log in again', async () => {
    const before = await city(['whoami', '--profile', 'olivia', '--json']);
    expect(before.code, before.stderr).toBe(0);
    const disable = await city(['admin', 'disable', 'olivia', '--json']);
    expect(disable.code, disable.stderr).toBe(0);
    expect(disable.json<UserView>()).toMatchObject({ uuid, status: 'disabled' });
    const after = await city(['whoami', '--profile', 'olivia']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^error TOKEN_REVOKED: /);
    const right = await city(['login', '--password-stdin', '--profile', 'olivia'], `${PASSWORD}\n`);
    const wrong = await city(['login', '--password-stdin', '--profile', 'olivia'], 'Wrong-Password-000\n');
    expect(right.code).toBe(1);
    expect(right.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
    expect(right.stderr).toBe(wrong.stderr);
    const enable = await city(['admin', 'enable', 'olivia']);
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout).toBe('olivia: active\n');
    const login = await city(['login', '--password-stdin', '--profile', 'olivia'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
  });

  it('reset-devices revokes every device and prints a one-time token that enrols a new one with the password', async () => {
    const run = await city(['admin', 'reset-devices', 'olivia', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const reset = run.json<{
      uuid: string;
      token: string;
      qrPayload: string;
      devicesRevoked: number;
      expiresAt: string;
    }>();
    expect(reset).toMatchObject({ uuid, devicesRevoked: 1 });
    const who = await city(['whoami', '--profile', 'olivia']);
    expect(who.code).toBe(1);
    expect(who.stderr).toMatch(/^error TOKEN_REVOKED: /);
    const accept = await city(
      [
        'pair',
        'accept',
        reset.qrPayload,
        '--username',
        'olivia',
        '--password-stdin',
        '--profile',
        'olivia-new',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(accept.code, accept.stderr).toBe(0);
    expect(accept.json<Record<string, unknown>>()).not.toHaveProperty('pairedFromDeviceId');
    const login = await city(['login', '--password-stdin', '--profile', 'olivia-new'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const again = await city(
      // `--` ends the options: a base64url token may begin with "-".
      [
        'pair',
        'accept',
        '--username',
        'olivia',
        '--password-stdin',
        '--profile',
        'olivia-3',
        '--',
        reset.token,
      ],
      `${PASSWORD}\n`,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
    const text = await city(['admin', 'reset-devices', 'olivia']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^olivia: 1 device\(s\) revoked/);
    expect(text.stdout).toMatch(/^ {2}city pair accept 'city-auth:pair\?v=1&uuid=[0-9a-f-]+&token=[\w-]+'$/m);
    const unknown = await city(['admin', 'reset-devices', 'nobody-here']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error USER_NOT_FOUND: /);
  });

  it('devices revoke refuses the last active device without --force, and says how to recover', async () => {
    const enrol = await city(['admin', 'reset-devices', 'olivia', '--json']);
    const accept = await city(
      [
        'pair',
        'accept',
        enrol.json<{ qrPayload: string }>().qrPayload,
        '--username',
        'olivia',
        '--password-stdin',
        '--profile',
        'olivia-last',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(accept.code, accept.stderr).toBe(0);
    const deviceId = accept.json<{ deviceId: string }>().deviceId;
    const login = await city(['login', '--password-stdin', '--profile', 'olivia-last'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const refused = await city(['devices', 'revoke', deviceId, '--profile', 'olivia-last']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error LAST_DEVICE_CONFIRMATION_REQUIRED: .*reset/);
    const forced = await city([
      'devices',
      'revoke',
      deviceId,
      '--profile',
      'olivia-last',
      '--force',
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json()).toMatchObject({ deviceId, status: 'revoked' });
  });

  it('audit lists every change as operator:cli, newest first, filtered by user and limited', async () => {
    const run = await city(['admin', 'audit', '--user', 'olivia', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const events =
      run.json<
        { type: string; at: string; userUuid?: string; reason?: string; detail?: Record<string, unknown> }[]
      >();
    expect(events.every((e) => e.userUuid === uuid)).toBe(true);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const changes = events.filter((e) => ['role_change', 'user_disabled', 'user_enabled'].includes(e.type));
    expect(changes.map((e) => e.type).sort()).toEqual(
      ['role_change', 'role_change', 'role_change', 'user_disabled', 'user_enabled'].sort(),
    );
    expect(changes.every((e) => e.detail?.by === 'operator:cli')).toBe(true);
    expect(events.find((e) => e.type === 'login_failure' && e.reason === 'account_disabled')).toBeDefined();
    const two = await city(['admin', 'audit', '--limit', '2', '--json']);
    expect(two.json<unknown[]>()).toHaveLength(2);
    const text = await city(['admin', 'audit', '--limit', '3']);
    expect(text.stdout.split('\n')[0]).toMatch(/^AT\s+TYPE\s+USER\s+REASON\s+DETAIL$/);
  });
});
