/**
 * The account recovery contracts: enrolling a new device with the password and one unused
 * recovery code (plus the new device's key, like a pairing redemption), and regenerating the
 * codes (an empty body).
 */
import { type Static, Type } from 'typebox';
import {
  CSR_FIELD,
  DEVICE_LABEL_FIELD,
  KEY_ALGORITHM_FIELD,
  optionalField,
  PASSWORD_FIELD,
  stringField,
} from './_fields.js';

/** JSON Schema of the `recoverAccount` body. */
export const RecoverAccountInputSchema = Type.Object(
  {
    username: stringField(1024, 'the account username'),
    password: PASSWORD_FIELD,
    recovery_code: stringField(
      64,
      'one code of the set shown at registration or regeneration; case, spaces and hyphens are ignored',
    ),
    csr: optionalField(CSR_FIELD),
    key_algorithm: optionalField(KEY_ALGORITHM_FIELD),
    device_label: optionalField(DEVICE_LABEL_FIELD),
  },
  { additionalProperties: false },
);

/** Body accepted by `recoverAccount`. */
export type RecoverAccountInput = Static<typeof RecoverAccountInputSchema>;

/** JSON Schema of the `regenerateRecoveryCodes` body: empty or omitted. */
export const RegenerateRecoveryCodesInputSchema = Type.Object({}, { additionalProperties: false });
