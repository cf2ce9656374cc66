/**
 * The token contracts of other services: RFC 7009 revocation, RFC 7662 introspection, and the
 * operator's service client registration.
 */
import { type Static, Type } from 'typebox';
import { optionalField, stringField } from './_fields.js';

const TOKEN = stringField(16_384, 'access or refresh token');
const TOKEN_TYPE_HINT = Type.Enum(['access_token', 'refresh_token'], { type: 'string' });
const CLIENT_ID = stringField(64, '3-64 characters [a-z0-9._-], starting with a letter or digit');

/** JSON Schema of the `revokeToken` body (RFC 7009: any input is answered with success). */
export const RevokeTokenInputSchema = Type.Object(
  { token: TOKEN, token_type_hint: optionalField(TOKEN_TYPE_HINT) },
  { additionalProperties: false },
);

/** Body accepted by `revokeToken`. */
export type RevokeTokenInput = Static<typeof RevokeTokenInputSchema>;

/** JSON Schema of the `introspect` body (RFC 7662). */
export const IntrospectInputSchema = Type.Object(
  { token: TOKEN, token_type_hint: optionalField(stringField(64, 'access_token or refresh_token')) },
  { additionalProperties: false },
);

/** Body accepted by `introspect`. */
export type IntrospectInput = Static<typeof IntrospectInputSchema>;

/** JSON Schema of the `addServiceClient` body. */
export const AddServiceClientInputSchema = Type.Object(
  { client_id: CLIENT_ID, name: optionalField(stringField(128 * 4 + 16, 'display name: 1-128 characters')) },
  { additionalProperties: false },
);

/** Body accepted by `addServiceClient`. */
export type AddServiceClientInput = Static<typeof AddServiceClientInputSchema>;

/** JSON Schema of the `removeServiceClient` body. */
export const RemoveServiceClientInputSchema = Type.Object(
  { client_id: CLIENT_ID },
  { additionalProperties: false },
);

/** Body accepted by `removeServiceClient`. */
export type RemoveServiceClientInput = Static<typeof RemoveServiceClientInputSchema>;
