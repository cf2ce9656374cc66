/**
 * The refresh contracts: the refresh challenge request (an empty body) and the refresh body, the
 * refresh token plus proof of possession of the session's device key (`challenge_id` and
 * `signature`, both required unless the device certificate is presented over mTLS).
 */
import { type Static, Type } from 'typebox';
import { optionalField, stringField } from './_fields.js';

/** JSON Schema of the `createRefreshChallenge` body: empty or omitted. */
export const RefreshChallengeInputSchema = Type.Object({}, { additionalProperties: false });

/** Body accepted by `createRefreshChallenge` (may be omitted entirely). */
export type RefreshChallengeInput = Static<typeof RefreshChallengeInputSchema>;

/** JSON Schema of the `refresh` body. */
export const RefreshInputSchema = Type.Object(
  {
    refresh_token: stringField(16_384, 'the current refresh token'),
    challenge_id: optionalField(
      stringField(
        128,
        'from the refresh challenge (required unless the device certificate is presented over mTLS)',
      ),
    ),
    signature: optionalField(
      stringField(16_384, 'base64url signature of the refresh challenge with the device key of the session'),
    ),
  },
  { additionalProperties: false },
);

/** Body accepted by `refresh`. */
export type RefreshInput = Static<typeof RefreshInputSchema>;
