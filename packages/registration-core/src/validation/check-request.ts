/**
 * One entry point to the validation of every request contract, for transports that validate a
 * body before calling the use case (the HTTP API's schema validator). A contract owned by a use
 * case is checked by that use case's own validator, so a transport refuses exactly what the use
 * case refuses, with the same error; any other object schema (a transport's own composition of
 * contract fields) is read field by field from the schema with the same per-field codes.
 */
import type { TObject, TSchema } from 'typebox';
import { RenewCertificateInputSchema } from '../contracts/device-input-schema.js';
import { LoginChallengeInputSchema, LoginInputSchema } from '../contracts/login-input-schema.js';
import {
  PairedDeviceInputSchema,
  PairingTokenRequestInputSchema,
} from '../contracts/pairing-input-schema.js';
import {
  RecoverAccountInputSchema,
  RegenerateRecoveryCodesInputSchema,
} from '../contracts/recovery-input-schema.js';
import { RefreshChallengeInputSchema, RefreshInputSchema } from '../contracts/refresh-input-schema.js';
import { RegisterInputSchema } from '../contracts/register-input-schema.js';
import { RevokeTokenInputSchema } from '../contracts/token-input-schema.js';
import { InputReader } from './_input-reader.js';
import { readEmptyInput } from './read-empty-input.js';
import { validateLoginInput } from './validate-login-input.js';
import { validatePairingInput } from './validate-pairing-input.js';
import { validatePairingTokenRequest } from './validate-pairing-token-request.js';
import { validateRecoveryInput } from './validate-recovery-input.js';
import { validateRefreshInput } from './validate-refresh-input.js';
import { validateRegisterInput } from './validate-register-input.js';
import { validateRenewInput } from './validate-renew-input.js';

const USE_CASE_VALIDATORS = new Map<TObject, (input: unknown) => unknown>([
  [RegisterInputSchema, (input) => validateRegisterInput(input)],
  [LoginChallengeInputSchema, (input) => readEmptyInput(input, LoginChallengeInputSchema)],
  [LoginInputSchema, validateLoginInput],
  [RefreshChallengeInputSchema, (input) => readEmptyInput(input, RefreshChallengeInputSchema)],
  [RefreshInputSchema, validateRefreshInput],
  [PairingTokenRequestInputSchema, validatePairingTokenRequest],
  [PairedDeviceInputSchema, validatePairingInput],
  [RenewCertificateInputSchema, validateRenewInput],
  [RecoverAccountInputSchema, validateRecoveryInput],
  [RegenerateRecoveryCodesInputSchema, (input) => readEmptyInput(input, RegenerateRecoveryCodesInputSchema)],
  // RFC 7009 §2.2: revocation answers every request alike, so no body is ever refused.
  [RevokeTokenInputSchema, () => undefined],
]);

type PropertySchema = TSchema & {
  readonly type?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly { readonly type?: unknown }[];
  readonly items?: PropertySchema;
};

/**
 * Validates `input` against a request contract as the use case owning it does (or, for a
 * schema no use case owns, field by field from the schema).
 *
 * @throws AuthError `VALIDATION_FAILED` (or the owning use case's own input error, e.g.
 *   `PAIRING_CREDENTIALS_REQUIRED`)
 * @example
 * ```ts
 * checkRequest(LoginInputSchema, { identifier: 'alice' }); // throws: password REQUIRED
 * ```
 */
export function checkRequest(contract: TObject, input: unknown): void {
  const validate = USE_CASE_VALIDATORS.get(contract);
  if (validate !== undefined) {
    validate(input);
    return;
  }
  readBySchema(contract, input);
}

function readBySchema(contract: TObject, input: unknown): void {
  const alternatives = (contract as { anyOf?: readonly { required?: readonly string[] }[] }).anyOf ?? [];
  const required: readonly string[] = contract.required ?? [];
  const optionalBody = required.length === 0 && alternatives.length === 0;
  const reader = new InputReader(input, contract, { optionalBody });
  for (const [field, schema] of Object.entries(contract.properties) as [string, PropertySchema][]) {
    if (Array.isArray(schema.enum)) reader.oneOf(field, schema.enum as readonly string[]);
    else if (schema.type === 'integer') reader.integer(field);
    else if (schema.anyOf?.some((branch) => branch.type === 'integer'))
      reader.integer(field, { allowString: true });
    else if (schema.type === 'array') readArray(reader, field, schema);
    else reader.string(field);
  }
  const groups = alternatives.map((group) => group.required ?? []);
  if (groups.length > 0 && !groups.some((group) => group.every((field) => reader.has(field)))) {
    const names = groups.flat();
    const first = names[0];
    if (first !== undefined && !names.some((field) => reader.issues.some((issue) => issue.field === field)))
      reader.add(first, 'REQUIRED', `${names.join(' or ')} is required`);
  }
  reader.finish();
}

function readArray(reader: InputReader, field: string, schema: PropertySchema): void {
  if (!reader.has(field)) {
    if (reader.isRequired(field)) reader.add(field, 'REQUIRED', `${field} is required`);
    return;
  }
  const value = reader.raw(field);
  const allowed = schema.items?.enum;
  if (!Array.isArray(value) || value.length === 0) {
    reader.add(field, 'INVALID_TYPE', `${field} must be a non-empty array`);
  } else if (allowed !== undefined && !value.every((item) => allowed.includes(item))) {
    reader.add(field, 'INVALID_FORMAT', `${field} must hold only ${allowed.join(', ')}`);
  } else if (new Set(value).size !== value.length) {
    reader.add(field, 'INVALID_FORMAT', `${field} must hold distinct values`);
  }
}
