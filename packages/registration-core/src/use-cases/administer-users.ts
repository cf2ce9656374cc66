/**
 * Admin use cases (seed 004's roles applied): listing users and the audit trail, and replacing
 * a user's roles. Permissions come from the principal's current roles (re-read from the store
 * by `authenticate`, so a demotion takes effect at once).
 */
import {
  ConflictError,
  InvalidCursorError,
  NotFoundError,
  type Page,
  type Role,
  type UserRecord,
} from '@city/ports';
import { AuthError } from '../auth-error.js';
import type {
  AuditEntry,
  MeResult,
  PageResult,
  Principal,
  RequestContext,
  UserSummary,
} from '../auth-service.js';
import { hasPermission, type Permission, ROLES } from '../has-permission.js';
import { isUuid } from '../lib/_resolve-user.js';
import { audit, decryptField, iso, type ServiceContext, userSummary } from '../lib/_service-context.js';
import { InputReader } from '../validation/_input-reader.js';

function requirePermission(principal: Principal, permission: Permission): void {
  if (!hasPermission(principal.roles, permission)) throw new AuthError('FORBIDDEN');
}

function pageInput(
  ctx: ServiceContext,
  input: unknown,
  extra: readonly string[],
): { reader: InputReader; limit: number; cursor?: string | undefined } {
  const reader = new InputReader(input, ['limit', 'cursor', ...extra], { optionalBody: true });
  const limit =
    reader.integer('limit', { required: false, min: 1, max: ctx.config.maxPageSize }) ??
    Math.min(50, ctx.config.maxPageSize);
  // Page cursors are short base64url strings; the bound matches the API's documented one.
  const cursor = reader.string('cursor', { required: false, maxLength: 512 });
  return { reader, limit, cursor };
}

/**
 * Runs a store listing. Cursors are opaque strings the caller hands back, so one the store
 * refuses (`InvalidCursorError`: forged, truncated, from another listing) is the caller's input
 * error, not a fault.
 */
async function listPage<T>(list: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await list();
  } catch (error) {
    if (!(error instanceof InvalidCursorError)) throw error;
    const message = 'cursor is not one returned by a previous page';
    throw new AuthError('VALIDATION_FAILED', `invalid input: cursor: ${message}`, {
      cause: error,
      fields: [{ field: 'cursor', code: 'INVALID_FORMAT', message }],
    });
  }
}

export async function listUsers(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
): Promise<PageResult<UserSummary>> {
  requirePermission(principal, 'users:read');
  const { reader, limit, cursor } = pageInput(ctx, input, []);
  reader.finish();
  const page = await listPage(() => ctx.stores.users.list({ limit, cursor }));
  return { items: page.items.map((u) => userSummary(ctx, u)), cursor: page.cursor };
}

export async function listAudit(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
): Promise<PageResult<AuditEntry>> {
  requirePermission(principal, 'audit:read');
  const { reader, limit, cursor } = pageInput(ctx, input, ['user_uuid']);
  const userUuid = reader.string('user_uuid', { required: false, maxLength: 64 });
  if (userUuid !== undefined && !isUuid(userUuid))
    reader.add('user_uuid', 'INVALID_FORMAT', 'user_uuid must be a UUID');
  reader.finish();
  const page = await listPage(() =>
    ctx.stores.audit.list({ userUuid: userUuid?.toLowerCase(), limit, cursor }),
  );
  return {
    items: page.items.map((e) => ({
      eventId: e.eventId,
      type: e.type,
      at: iso(e.at),
      userUuid: e.userUuid,
      deviceId: e.deviceId,
      ip: e.ip,
      reason: e.reason,
      detail: e.detail,
    })),
    cursor: page.cursor,
  };
}

export async function setRoles(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
  request: RequestContext = {},
): Promise<UserSummary> {
  requirePermission(principal, 'roles:manage');
  const reader = new InputReader(input, ['user_uuid', 'roles']);
  const userUuid = reader.string('user_uuid', { required: true, maxLength: 64 });
  if (userUuid !== undefined && !isUuid(userUuid))
    reader.add('user_uuid', 'INVALID_FORMAT', 'user_uuid must be a UUID');
  const raw = reader.raw('roles');
  let roles: Role[] | undefined;
  if (raw === undefined || raw === null) reader.add('roles', 'REQUIRED', 'roles is required');
  else if (!Array.isArray(raw) || raw.length === 0 || raw.length > ROLES.length) {
    reader.add('roles', 'INVALID_TYPE', 'roles must be a non-empty array of user, moderator, admin');
  } else if (
    !raw.every((r) => typeof r === 'string' && (ROLES as readonly string[]).includes(r)) ||
    new Set(raw).size !== raw.length
  ) {
    reader.add('roles', 'INVALID_FORMAT', 'roles must be distinct values among user, moderator, admin');
  } else {
    roles = ROLES.filter((r) => raw.includes(r));
  }
  reader.finish();
  const uuid = (userUuid as string).toLowerCase();
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = await ctx.stores.users.getByUuid(uuid);
    if (user === undefined) throw new AuthError('USER_NOT_FOUND');
    try {
      const updated = await ctx.stores.users.update(
        uuid,
        { roles: roles as Role[] },
        user.version,
        ctx.clock.now(),
      );
      await audit(ctx, {
        type: 'role_change',
        userUuid: uuid,
        ip: request.ip,
        detail: { from: user.roles.join(','), to: updated.roles.join(','), by: principal.userUuid },
      });
      return userSummary(ctx, updated);
    } catch (error) {
      if (error instanceof NotFoundError) throw new AuthError('USER_NOT_FOUND');
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new AuthError('CONCURRENT_UPDATE');
}

export async function describeMe(ctx: ServiceContext, principal: Principal): Promise<MeResult> {
  // A principal fresh from the access cache carries the user read under the current state version.
  const entry = ctx.accessCache.entryOf(principal);
  if (entry !== undefined) {
    entry.me ??= Object.freeze(buildMe(ctx, entry.user, principal));
    return entry.me;
  }
  const user = await ctx.stores.users.getByUuid(principal.userUuid);
  if (user === undefined || user.status !== 'active') throw new AuthError('TOKEN_REVOKED');
  return buildMe(ctx, user, principal);
}

function buildMe(ctx: ServiceContext, user: UserRecord, principal: Principal): MeResult {
  const mynumber = decryptField(ctx, user, 'mynumber');
  return {
    ...userSummary(ctx, user),
    name: decryptField(ctx, user, 'name'),
    birthDate: decryptField(ctx, user, 'birth_date'),
    address: decryptField(ctx, user, 'address'),
    phone: decryptField(ctx, user, 'phone'),
    mynumberLast4: mynumber?.slice(-4),
    initialHarmonyToken: user.initialHarmonyToken,
    deviceId: principal.deviceId,
    sessionId: principal.sessionId,
  };
}
