/**
 * Admin routes. Role checks are the core's (`FORBIDDEN` → 403): users need `users:read`, the
 * audit trail `audit:read`, role changes `roles:manage`, disabling, enabling and resetting a
 * user's devices `users:manage`.
 */
import {
  AdminTargetInputSchema,
  ListAuditInputSchema,
  ListUsersInputSchema,
  SetRolesInputSchema,
  SetUserStatusInputSchema,
} from '@city/registration-core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  AUDIT_PAGE_SCHEMA,
  BEARER,
  ENROLMENT_TOKEN_SCHEMA,
  ERROR_RESPONSES,
  USER_PAGE_SCHEMA,
  USER_SUMMARY_SCHEMA,
} from '../route-schemas.js';
import type { RouteDeps } from './route-deps.js';

// The listing contracts as query strings (other parameters are ignored, as query strings go).
// A cursor's 512 characters keep any valid request line far below Node's 16 KiB header limit,
// so a documented value never meets a 431.
const USERS_QUERY = Type.Object(ListUsersInputSchema.properties);
const AUDIT_QUERY = Type.Object(ListAuditInputSchema.properties);

// The target user is the path's: the bodies are the contracts without it.
const STATUS_BODY = Type.Omit(SetUserStatusInputSchema, ['user_uuid', 'username'], {
  additionalProperties: false,
});
const ROLES_BODY = Type.Omit(SetRolesInputSchema, ['user_uuid'], { additionalProperties: false });
const RESET_DEVICES_BODY = Type.Omit(AdminTargetInputSchema, ['user_uuid', 'username'], {
  additionalProperties: false,
  description: 'Empty or omitted.',
});

const UUID_PARAMS = {
  type: 'object',
  properties: { uuid: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['uuid'],
};

/** The body with the path's user uuid added (a non-object body goes to the core as is, to be refused there). */
function withUuid(body: unknown, uuid: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? { ...(body as Record<string, unknown>), user_uuid: uuid }
    : body;
}

function defined(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}

/**
 * Registers `/admin/users`, `/admin/audit`, `/admin/users/:uuid/roles`, `/admin/users/:uuid/status`
 * and `/admin/users/:uuid/reset-devices`.
 *
 * @throws never (errors surface as HTTP answers)
 * @example
 * ```ts
 * await app.register(registerAdminRoutes, deps);
 * ```
 */
export async function registerAdminRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth, contextOf, authenticate, principalOf } = deps;

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Users, one page at a time (admin)',
        security: BEARER,
        querystring: USERS_QUERY,
        response: { 200: USER_PAGE_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) =>
      auth.listUsers(
        principalOf(request),
        defined({ limit: request.query.limit, cursor: request.query.cursor }),
        contextOf(request),
      ),
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; user_uuid?: string } }>(
    '/admin/audit',
    {
      schema: {
        tags: ['admin'],
        summary: 'Audit trail, newest first (admin, moderator)',
        security: BEARER,
        querystring: AUDIT_QUERY,
        response: { 200: AUDIT_PAGE_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) =>
      auth.listAudit(
        principalOf(request),
        defined({
          limit: request.query.limit,
          cursor: request.query.cursor,
          user_uuid: request.query.user_uuid,
        }),
        contextOf(request),
      ),
  );

  app.put<{ Params: { uuid: string } }>(
    '/admin/users/:uuid/status',
    {
      schema: {
        tags: ['admin'],
        summary: 'Disable a user (every session ends at once) or enable them again (admin)',
        security: BEARER,
        params: UUID_PARAMS,
        body: STATUS_BODY,
        response: { 200: USER_SUMMARY_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) =>
      auth.setUserStatus(
        principalOf(request),
        withUuid(request.body, request.params.uuid),
        contextOf(request),
      ),
  );

  app.put<{ Params: { uuid: string } }>(
    '/admin/users/:uuid/roles',
    {
      schema: {
        tags: ['admin'],
        summary: "Replace a user's roles (admin)",
        security: BEARER,
        params: UUID_PARAMS,
        body: ROLES_BODY,
        response: { 200: USER_SUMMARY_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request) =>
      auth.setRoles(principalOf(request), withUuid(request.body, request.params.uuid), contextOf(request)),
  );

  app.post<{ Params: { uuid: string } }>(
    '/admin/users/:uuid/reset-devices',
    {
      schema: {
        tags: ['admin'],
        summary:
          'For a user who lost every device: revoke all their devices and issue a one-time enrolment token (24 h) that enrols a new device with their password (admin)',
        security: BEARER,
        params: UUID_PARAMS,
        body: RESET_DEVICES_BODY,
        response: { 201: ENROLMENT_TOKEN_SCHEMA, ...ERROR_RESPONSES },
      },
      preHandler: authenticate,
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const result = await auth.resetDevices(
        principalOf(request),
        withUuid(body, request.params.uuid),
        contextOf(request),
      );
      return reply.status(201).send(result);
    },
  );
}
