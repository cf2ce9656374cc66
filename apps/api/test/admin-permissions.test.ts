/**
 * Who may call the admin routes: the roles the README's route table names for each admin route
 * (and the route's OpenAPI summary) are exactly the roles the running API lets through. A user of
 * every role calls every admin route; a role the documentation leaves out must get 403 FORBIDDEN,
 * a role it names must get 200.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, grantRoles, json, openTestApp, registerAndLogin, type TestApp } from './helpers/test-app.js';

const ROLES = ['user', 'moderator', 'admin'] as const;
type Role = (typeof ROLES)[number];

/** The admin rows of the README route table: method, path and the roles in its Auth column. */
function documentedAdminRoutes(): { method: string; path: string; roles: Role[] }[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = [
    ...readme.matchAll(/^\|\s*(GET|PUT|POST|DELETE)\s*\|\s*`(\/admin\/[^`?]*)[^`]*`\s*\|([^|]*)\|/gm),
  ];
  return rows.map((row) => {
    const roles =
      /Bearer \(([^)]*)\)/
        .exec(row[3]!)?.[1]
        ?.split(',')
        .map((r) => r.trim()) ?? [];
    for (const role of roles) expect(ROLES, `README role "${role}"`).toContain(role);
    return { method: row[1]!, path: row[2]!, roles: roles as Role[] };
  });
}

let t: TestApp;
const tokens = {} as Record<Role, string>;
let target: string;

beforeAll(async () => {
  t = await openTestApp();
  for (const role of ROLES) {
    const session = await registerAndLogin(t.app);
    if (role !== 'user') await grantRoles(t.runtime, session.uuid, [role]);
    tokens[role] = session.accessToken;
  }
  target = (await registerAndLogin(t.app)).uuid;
}, 60_000);
afterAll(async () => t.close());

describe('admin route permissions agree with the documentation', () => {
  const documented = documentedAdminRoutes();

  it('the README documents the five admin routes', () => {
    expect(documented.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /admin/audit',
      'GET /admin/users',
      'POST /admin/users/:uuid/reset-devices',
      'PUT /admin/users/:uuid/roles',
      'PUT /admin/users/:uuid/status',
    ]);
  });

  it('lets exactly the documented roles through (moderators read the audit trail, only admins list users)', async () => {
    for (const route of documented) {
      for (const role of ROLES) {
        const response = await t.app.inject({
          method: route.method as 'GET' | 'PUT' | 'POST',
          url: route.path.replace(':uuid', target),
          headers: bearer(tokens[role]),
          ...(route.method === 'PUT'
            ? { payload: route.path.endsWith('/status') ? { status: 'active' } : { roles: ['user'] } }
            : {}),
        });
        const what = `${role} ${route.method} ${route.path}: ${response.body}`;
        if (route.roles.includes(role)) {
          expect(response.statusCode, what).toBe(route.method === 'POST' ? 201 : 200);
        } else {
          expect(response.statusCode, what).toBe(403);
          expect(json(response), what).toMatchObject({ error: { code: 'FORBIDDEN' } });
        }
      }
    }
  });

  it('the OpenAPI summaries name the same roles', async () => {
    await t.app.ready();
    const paths = (t.app.swagger() as { paths: Record<string, Record<string, { summary?: string }>> }).paths;
    for (const route of documented) {
      const summary =
        paths[route.path.replace(':uuid', '{uuid}')]?.[route.method.toLowerCase()]?.summary ?? '';
      const inSummary =
        /\(([^)]*)\)\s*$/
          .exec(summary)?.[1]
          ?.split(',')
          .map((r) => r.trim()) ?? [];
      expect(inSummary.sort(), `${route.method} ${route.path}: "${summary}"`).toEqual(
        [...route.roles].sort(),
      );
    }
  });
});
