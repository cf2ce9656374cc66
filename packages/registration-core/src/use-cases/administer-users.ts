/**
 * Admin use cases: listing users and the audit trail, changing a
 * user's roles, disabling and re-enabling a user. Permissions come from the principal's current
 * roles (re-read from the store by `authenticate`, so a demotion takes effect at once); the
 * operator (direct mode on the deployment's own stores) holds them all. Every change is audited
 * with who made it.
 */
import {
  ConflictError,
  hasPermission,
  InvalidCursorError,
  NotFoundError,
  type Page,
  type Permission,
  ROLES,
  type Role,
  type UserPatch,
  type UserRecord,
} from '@city/ports';
import { AuthError } from '../auth-error.js';
import type {
  AdminActor,
  AuditEntry,
  EnrolmentTokenResult,
  MeResult,
  PageResult,
  Principal,
  RequestContext,
  UserSummary,
} from '../auth-service.js';
import {
  AdminTargetInputSchema,
  ChangeRoleInputSchema,
  ListAuditInputSchema,
  ListUsersInputSchema,
  SetRolesInputSchema,
  SetUserStatusInputSchema,
} from '../contracts/admin-input-schema.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { isUuid } from '../lib/_resolve-user.js';
import {
  audit,
  decryptField,
  iso,
  notify,
  randomToken,
  revokeFamily,
  type ServiceContext,
  sha256Hex,
  userSummary,
} from '../lib/_service-context.js';
import { InputReader } from '../validation/_input-reader.js';
import { validateUsername } from '../validation/validate-username.js';
import { revokeDeviceRecord } from './manage-devices.js';

function isOperator(actor: AdminActor): actor is Extract<AdminActor, { operator: string }> {
  return typeof (actor as { operator?: unknown }).operator === 'string';
}

/** Every refusal is audited (who, what, from where) before it is answered. */
async function requirePermission(
  ctx: ServiceContext,
  actor: AdminActor,
  permission: Permission,
  request: RequestContext,
): Promise<void> {
  if (isOperator(actor)) return;
  if (hasPermission(actor.roles, permission)) return;
  await audit(ctx, {
    type: 'permission_denied',
    userUuid: actor.userUuid,
    deviceId: actor.deviceId,
    ip: request.ip,
    reason: permission,
    detail: { roles: actor.roles.join(',') },
  });
  throw new AuthError('FORBIDDEN');
}

/** Who made a change, as the audit trail records it. */
function actorId(actor: AdminActor): string {
  return isOperator(actor) ? `operator:${actor.operator}` : actor.userUuid;
}

/** Admin reads are audited too: who looked at what. Changes have their own events. */
async function auditAdminRead(
  ctx: ServiceContext,
  actor: AdminActor,
  request: RequestContext,
  action: string,
  detail: Record<string, string | number | boolean> = {},
): Promise<void> {
  await audit(ctx, {
    type: 'admin_action',
    userUuid: isOperator(actor) ? undefined : actor.userUuid,
    deviceId: isOperator(actor) ? undefined : actor.deviceId,
    ip: request.ip,
    reason: action,
    detail: { ...detail, by: actorId(actor) },
  });
}

/** Reads the target user (exactly one of `user_uuid` and `username`) into a store lookup. */
function readTarget(reader: InputReader): { uuid?: string; usernameKey?: string } {
  const userUuid = reader.string('user_uuid', { required: false });
  const username = reader.string('username', { required: false });
  if (userUuid !== undefined && username !== undefined) {
    reader.add('username', 'CONFLICTING_FIELDS', 'give user_uuid or username, not both');
    return {};
  }
  if (userUuid === undefined && username === undefined) {
    if (!reader.has('user_uuid') && !reader.has('username'))
      reader.add('user_uuid', 'REQUIRED', 'user_uuid or username is required');
    return {};
  }
  if (userUuid !== undefined) {
    if (!isUuid(userUuid)) reader.add('user_uuid', 'INVALID_FORMAT', 'user_uuid must be a UUID');
    return { uuid: userUuid.toLowerCase() };
  }
  const key = validateUsername(username as string);
  // A malformed username names nobody: the same answer as an unknown one.
  return { usernameKey: key.ok ? key.value.key : '' };
}

async function findTarget(
  ctx: ServiceContext,
  target: { uuid?: string; usernameKey?: string },
): Promise<UserRecord> {
  const user =
    target.uuid !== undefined
      ? await ctx.stores.users.getByUuid(target.uuid)
      : target.usernameKey
        ? await ctx.stores.users.getByUsernameKey(target.usernameKey)
        : undefined;
  if (user === undefined) throw new AuthError('USER_NOT_FOUND');
  return user;
}

/**
 * Applies `change` to the current record with optimistic concurrency (three tries). `change`
 * returns undefined when there is nothing to write; `after` runs once on the written record.
 */
async function updateUser(
  ctx: ServiceContext,
  target: { uuid?: string; usernameKey?: string },
  change: (user: UserRecord) => UserPatch | undefined,
  after: (before: UserRecord, updated: UserRecord) => Promise<void>,
): Promise<UserRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const user = await findTarget(ctx, target);
    const patch = change(user);
    if (patch === undefined) return user;
    try {
      const updated = await ctx.stores.users.update(user.uuid, patch, user.version, ctx.clock.now());
      await after(user, updated);
      return updated;
    } catch (error) {
      if (error instanceof NotFoundError) throw new AuthError('USER_NOT_FOUND');
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new AuthError('CONCURRENT_UPDATE');
}

function pageInput(
  ctx: ServiceContext,
  input: unknown,
  contract: typeof ListUsersInputSchema | typeof ListAuditInputSchema,
): { reader: InputReader; limit: number; cursor?: string | undefined } {
  const reader = new InputReader(input, contract, { optionalBody: true });
  const limit =
    reader.integer('limit', { min: 1, max: ctx.config.maxPageSize }) ?? Math.min(50, ctx.config.maxPageSize);
  // Page cursors are short base64url strings (the contract's bound).
  const cursor = reader.string('cursor');
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
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<PageResult<UserSummary>> {
  await requirePermission(ctx, actor, 'users:read', request);
  const { reader, limit, cursor } = pageInput(ctx, input, ListUsersInputSchema);
  reader.finish();
  const page = await listPage(() => ctx.stores.users.list({ limit, cursor }));
  await auditAdminRead(ctx, actor, request, 'list_users', { count: page.items.length });
  return { items: page.items.map((u) => userSummary(ctx, u)), cursor: page.cursor };
}

/** One user by uuid or username. */
export async function getUser(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<UserSummary> {
  await requirePermission(ctx, actor, 'users:read', request);
  const reader = new InputReader(input, AdminTargetInputSchema);
  const target = readTarget(reader);
  reader.finish();
  const user = await findTarget(ctx, target);
  await auditAdminRead(ctx, actor, request, 'get_user', { subject: user.uuid });
  return userSummary(ctx, user);
}

export async function listAudit(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<PageResult<AuditEntry>> {
  await requirePermission(ctx, actor, 'audit:read', request);
  const { reader, limit, cursor } = pageInput(ctx, input, ListAuditInputSchema);
  const userUuid = reader.string('user_uuid');
  if (userUuid !== undefined && !isUuid(userUuid))
    reader.add('user_uuid', 'INVALID_FORMAT', 'user_uuid must be a UUID');
  reader.finish();
  const page = await listPage(() =>
    ctx.stores.audit.list({ userUuid: userUuid?.toLowerCase(), limit, cursor }),
  );
  // Recorded after the read, so a page never lists its own entry.
  await auditAdminRead(
    ctx,
    actor,
    request,
    'list_audit',
    userUuid === undefined ? {} : { subject: userUuid.toLowerCase() },
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
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<UserSummary> {
  await requirePermission(ctx, actor, 'roles:manage', request);
  const reader = new InputReader(input, SetRolesInputSchema);
  const userUuid = reader.string('user_uuid');
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
  const updated = await updateUser(
    ctx,
    { uuid: (userUuid as string).toLowerCase() },
    () => ({ roles: roles as Role[] }),
    (before, after) => auditRoleChange(ctx, actor, request, before, after),
  );
  return userSummary(ctx, updated);
}

function auditRoleChange(
  ctx: ServiceContext,
  actor: AdminActor,
  request: RequestContext,
  before: UserRecord,
  after: UserRecord,
): Promise<void> {
  return audit(ctx, {
    type: 'role_change',
    userUuid: after.uuid,
    ip: request.ip,
    detail: { from: before.roles.join(','), to: after.roles.join(','), by: actorId(actor) },
  });
}

/** Adds (`grant`) or removes one role; nothing is written or audited when nothing changes. */
export async function changeRole(
  ctx: ServiceContext,
  actor: AdminActor,
  action: 'grant' | 'revoke',
  input: unknown,
  request: RequestContext = {},
): Promise<UserSummary> {
  await requirePermission(ctx, actor, 'roles:manage', request);
  const reader = new InputReader(input, ChangeRoleInputSchema);
  const target = readTarget(reader);
  const role = reader.oneOf('role', ROLES);
  if (action === 'revoke' && role === 'user')
    reader.add('role', 'INVALID_FORMAT', 'every user keeps the user role; disable the user instead');
  reader.finish();
  const updated = await updateUser(
    ctx,
    target,
    (user) => {
      const has = user.roles.includes(role as Role);
      if (action === 'grant' ? has : !has) return undefined;
      const next = action === 'grant' ? [...user.roles, role as Role] : user.roles.filter((r) => r !== role);
      return { roles: ROLES.filter((r) => next.includes(r)) };
    },
    (before, after) => auditRoleChange(ctx, actor, request, before, after),
  );
  return userSummary(ctx, updated);
}

/**
 * Disables or re-enables a user. Disabling also revokes every active session (refresh family and
 * its access token), so re-enabling later does not bring old sessions back; the changed user
 * record alone already refuses the user's access tokens on every instance (authenticate re-reads
 * the user, and the access cache drops what it remembered on any change of state).
 */
export async function setUserStatus(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<UserSummary> {
  await requirePermission(ctx, actor, 'users:manage', request);
  const reader = new InputReader(input, SetUserStatusInputSchema);
  const target = readTarget(reader);
  const status = reader.oneOf('status', ['active', 'disabled'] as const);
  reader.finish();
  const updated = await updateUser(
    ctx,
    target,
    (user) => (user.status === status ? undefined : { status }),
    (_before, after) =>
      audit(ctx, {
        type: status === 'disabled' ? 'user_disabled' : 'user_enabled',
        userUuid: after.uuid,
        ip: request.ip,
        detail: { by: actorId(actor) },
      }),
  );
  if (updated.status === 'disabled') {
    // Also on a repeated disable: ends any session a concurrent login opened in between.
    for (const family of await ctx.stores.refreshTokens.listByUser(updated.uuid)) {
      if (family.status === 'active') await revokeFamily(ctx, family, 'user_disabled');
    }
  }
  return userSummary(ctx, updated);
}

/** How long an operator's enrolment token stays redeemable. */
const ENROLMENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** Marks a pairing token the operator issued (`PairingTokenRecord.parentDeviceId`). */
export const OPERATOR_ENROLMENT_PREFIX = 'operator:';

/**
 * The operator's way back in for a user who lost every device: revokes every active device of the
 * user (certificates onto the CRL, sessions ended: a lost device may be in someone else's hands) and
 * issues a one-time enrolment token, valid 24 hours, that the user redeems like a pairing token
 * (`POST /devices`, `city pair accept`) with their username and password. Audited and notified.
 */
export async function resetDevices(
  ctx: ServiceContext,
  actor: AdminActor,
  input: unknown,
  request: RequestContext = {},
): Promise<EnrolmentTokenResult> {
  await requirePermission(ctx, actor, 'users:manage', request);
  const reader = new InputReader(input, AdminTargetInputSchema);
  const target = readTarget(reader);
  reader.finish();
  const user = await findTarget(ctx, target);
  const by = actorId(actor);
  let revoked = 0;
  for (const device of await ctx.stores.devices.listByUser(user.uuid)) {
    if (device.status !== 'active') continue;
    try {
      await revokeDeviceRecord(ctx, device, { by, ip: request.ip, reason: 'devices_reset' });
      revoked++;
    } catch (error) {
      // Revoked concurrently: as revoked as it gets.
      if (!(error instanceof AuthError && error.code === 'DEVICE_NOT_FOUND')) throw error;
    }
  }
  const now = ctx.clock.now();
  const token = randomToken(ctx, 32);
  const expiresAt = now + ENROLMENT_TOKEN_TTL_MS;
  try {
    await ctx.stores.pairingTokens.create({
      tokenHash: sha256Hex(token),
      userUuid: user.uuid,
      parentDeviceId: `${OPERATOR_ENROLMENT_PREFIX}${isOperator(actor) ? actor.operator : actor.userUuid}`,
      createdAt: now,
      expiresAt,
    });
  } catch (error) {
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  await audit(ctx, {
    type: 'devices_reset',
    userUuid: user.uuid,
    ip: request.ip,
    detail: { by, devicesRevoked: revoked, expiresAt },
  });
  await notify(ctx, {
    type: 'security_alert',
    userUuid: user.uuid,
    data: { event: 'devices_reset', devicesRevoked: revoked },
  });
  const qrPayload = `city-auth:pair?${new URLSearchParams({ v: '1', uuid: user.uuid, token }).toString()}`;
  return {
    uuid: user.uuid,
    username: user.username,
    token,
    expiresAt: iso(expiresAt),
    qrPayload,
    devicesRevoked: revoked,
  };
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
