/**
 * Role-based permissions: `user` ⊂ `moderator` ⊂ `admin`. Pure definitions shared by the use
 * cases (which enforce them on the API) and by resource servers (which enforce them on the roles
 * carried in an access token), so both read the same table.
 */
import { ROLES, type Role } from './records.js';

/** Every permission and the roles that grant it. */
export const ROLE_PERMISSIONS = {
  user: ['profile:read', 'devices:manage', 'sessions:manage'],
  moderator: ['profile:read', 'devices:manage', 'sessions:manage', 'audit:read'],
  admin: [
    'profile:read',
    'devices:manage',
    'sessions:manage',
    'audit:read',
    'users:read',
    'users:manage',
    'roles:manage',
  ],
} as const satisfies Record<Role, readonly string[]>;

/** A permission name. */
export type Permission = (typeof ROLE_PERMISSIONS)[Role][number];

export { ROLES };

/**
 * True when any of `roles` grants `permission`. Unknown role names grant nothing.
 *
 * @throws never
 * @example
 * ```ts
 * hasPermission(['moderator'], 'audit:read'); // true
 * hasPermission(['user'], 'roles:manage');    // false
 * ```
 */
export function hasPermission(roles: readonly string[], permission: Permission): boolean {
  for (const role of roles) {
    if (!Object.hasOwn(ROLE_PERMISSIONS, role)) continue;
    const granted: readonly string[] = ROLE_PERMISSIONS[role as Role];
    if (granted.includes(permission)) return true;
  }
  return false;
}
