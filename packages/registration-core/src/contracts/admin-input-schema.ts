/**
 * The administration contracts: listings (page size and cursor), and calls naming a target user
 * by exactly one of `user_uuid` and `username`.
 */
import { ROLES } from '@city/ports';
import { type Static, Type } from 'typebox';
import { optionalField, stringField } from './_fields.js';

const LIMIT = Type.Integer({
  minimum: 1,
  description: 'page size (at most the configured maximum page size)',
});
const CURSOR = stringField(512, 'from the previous page');
const USER_UUID = stringField(64, 'the user uuid');
const ROLE = Type.Enum([...ROLES], { type: 'string' });
const TARGET = {
  user_uuid: optionalField(USER_UUID),
  username: optionalField(stringField(64, 'the username')),
};
const ONE_TARGET = [{ required: ['user_uuid'] }, { required: ['username'] }];

/** JSON Schema of the `listUsers` query. */
export const ListUsersInputSchema = Type.Object(
  { limit: optionalField(LIMIT), cursor: optionalField(CURSOR) },
  { additionalProperties: false },
);

/** Query accepted by `listUsers`. */
export type ListUsersInput = Static<typeof ListUsersInputSchema>;

/** JSON Schema of the `listAudit` query. */
export const ListAuditInputSchema = Type.Object(
  {
    user_uuid: optionalField(USER_UUID),
    limit: optionalField(LIMIT),
    cursor: optionalField(CURSOR),
  },
  { additionalProperties: false },
);

/** Query accepted by `listAudit`. */
export type ListAuditInput = Static<typeof ListAuditInputSchema>;

/** JSON Schema naming the target of `getUser` and `resetDevices`. */
export const AdminTargetInputSchema = Type.Object(TARGET, { additionalProperties: false, anyOf: ONE_TARGET });

/** Names the target of an admin call: exactly one of `user_uuid` and `username`. */
export type AdminTargetInput = Static<typeof AdminTargetInputSchema>;

/** JSON Schema of the `setRoles` body. */
export const SetRolesInputSchema = Type.Object(
  {
    user_uuid: USER_UUID,
    roles: Type.Array(ROLE, {
      minItems: 1,
      uniqueItems: true,
      description: `non-empty subset of ${ROLES.join(', ')}`,
    }),
  },
  { additionalProperties: false },
);

/** Body accepted by `setRoles`. */
export type SetRolesInput = Static<typeof SetRolesInputSchema>;

/** JSON Schema of the `grantRole` / `revokeRole` body. */
export const ChangeRoleInputSchema = Type.Object(
  { ...TARGET, role: ROLE },
  { additionalProperties: false, anyOf: ONE_TARGET },
);

/** Body accepted by `grantRole` / `revokeRole`. */
export type ChangeRoleInput = Static<typeof ChangeRoleInputSchema>;

/** JSON Schema of the `setUserStatus` body. */
export const SetUserStatusInputSchema = Type.Object(
  { ...TARGET, status: Type.Enum(['active', 'disabled'], { type: 'string' }) },
  { additionalProperties: false, anyOf: ONE_TARGET },
);

/** Body accepted by `setUserStatus`. */
export type SetUserStatusInput = Static<typeof SetUserStatusInputSchema>;
