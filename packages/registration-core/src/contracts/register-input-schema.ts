/**
 * The registration contract: the one definition of the body `register` accepts (and the type
 * `RegisterInput` derived from it). Unknown fields are refused; the use case then applies the
 * per-field rules (NFKC, lower-casing, password policy, check digits).
 */
import { type Static, Type } from 'typebox';
import {
  CSR_FIELD,
  DEVICE_LABEL_FIELD,
  KEY_ALGORITHM_FIELD,
  optionalField,
  stringField,
  textField,
} from './_fields.js';

/** JSON Schema of the `register` body. Required: `username`, `email`, `password`. */
export const RegisterInputSchema = Type.Object(
  {
    username: stringField(
      1024,
      '3-32 characters [a-z0-9._-] after NFKC + lower case, no leading/trailing dot',
    ),
    email: stringField(1024, 'RFC 5322 practical address, at most 254 characters; the domain is lower-cased'),
    password: stringField(4096, '8-128 characters (NFKC), not common, not containing username or email'),
    name: optionalField(textField(100, 'name')),
    birth_date: optionalField(stringField(64, 'ISO YYYY-MM-DD, a real date between 1900-01-01 and today')),
    address: optionalField(textField(200, 'address')),
    mynumber: optionalField(stringField(64, '12 digits with the check digit (hyphens and spaces removed)')),
    phone: optionalField(stringField(64, 'E.164 or Japanese domestic; stored as E.164')),
    initial_harmony_token: Type.Optional(
      Type.Union(
        [
          Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, nullable: true }),
          Type.String({ pattern: '^\\s*\\d{1,16}\\s*$' }),
        ],
        { description: 'non-negative whole number (a decimal digit string is accepted); default 0' },
      ),
    ),
    csr: optionalField(CSR_FIELD),
    key_algorithm: optionalField(KEY_ALGORITHM_FIELD),
    device_label: optionalField(DEVICE_LABEL_FIELD),
    pkcs12_password: optionalField(
      stringField(
        1024,
        'import password of a PKCS#12 bundle of the server-generated key (no csr; key_algorithm ecdsa-p256 or rsa-3072)',
      ),
    ),
  },
  { additionalProperties: false },
);

/** Body accepted by `register`. */
export type RegisterInput = Static<typeof RegisterInputSchema>;
