/**
 * The login contracts: the challenge request (an empty body) and the login body, with the
 * identifier under exactly one of `identifier`, `username` or the legacy `uuid`.
 */
import { type Static, Type } from 'typebox';
import { optionalField, PASSWORD_FIELD, stringField } from './_fields.js';

/** JSON Schema of the `createLoginChallenge` body: empty or omitted. */
export const LoginChallengeInputSchema = Type.Object({}, { additionalProperties: false });

/** Body accepted by `createLoginChallenge` (may be omitted entirely). */
export type LoginChallengeInput = Static<typeof LoginChallengeInputSchema>;

/** JSON Schema of the `login` body: `password` and one of `identifier`, `username`, `uuid`. */
export const LoginInputSchema = Type.Object(
  {
    identifier: optionalField(stringField(320, 'uuid, username or email')),
    username: optionalField(stringField(320, 'the username (same as identifier)')),
    uuid: optionalField(stringField(320, 'the legacy field: user uuid (same as identifier)')),
    password: PASSWORD_FIELD,
    proof: optionalField(
      Type.Enum(['signature', 'mtls', 'fingerprint'], {
        type: 'string',
        description: 'device proof mode; default from the configuration (signature)',
      }),
    ),
    challenge_id: optionalField(stringField(128, 'signature proof: from the login challenge')),
    signature: optionalField(
      stringField(16_384, 'signature proof: base64url signature of the challenge with the device key'),
    ),
    device_id: optionalField(stringField(128, 'signature proof: the device that signed')),
    client_cert_fp: optionalField(
      stringField(256, 'fingerprint proof (off by default): SHA-256 certificate fingerprint'),
    ),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['identifier'] }, { required: ['username'] }, { required: ['uuid'] }],
  },
);

/** Body accepted by `login`. */
export type LoginInput = Static<typeof LoginInputSchema>;
