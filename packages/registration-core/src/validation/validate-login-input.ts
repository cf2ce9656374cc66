/**
 * Validation of the login body against {@link LoginInputSchema}. The password is not checked against the policy here (older
 * accounts may predate it), only its type and size, so a wrong password is never a validation
 * error that would tell it apart from an unknown user.
 */
import type { ProofMode } from '../auth-config.js';
import { LoginInputSchema } from '../contracts/login-input-schema.js';
import { InputReader } from './_input-reader.js';

/** A login body that passed validation. */
export interface ValidLogin {
  /** uuid, username or email as given in `identifier`, `username` or `uuid` (resolved by the service). */
  readonly identifier: string;
  readonly password: string;
  readonly proof?: ProofMode | undefined;
  readonly challengeId?: string | undefined;
  readonly signature?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly fingerprint?: string | undefined;
}

const IDENTIFIER_FIELDS = ['identifier', 'username', 'uuid'] as const;
const PROOF_MODES: readonly ProofMode[] = ['signature', 'mtls', 'fingerprint'];

/**
 * Validates a raw login body.
 *
 * @throws AuthError `VALIDATION_FAILED`
 * @example
 * ```ts
 * validateLoginInput({ identifier: 'alice', password: 'pw', challenge_id: id, signature: sig, device_id: dev });
 * ```
 */
export function validateLoginInput(input: unknown): ValidLogin {
  const reader = new InputReader(input, LoginInputSchema);
  // `username` and the legacy `uuid` are aliases of `identifier`: exactly one of the three.
  const given = IDENTIFIER_FIELDS.filter((field) => reader.has(field));
  const identifierField = given[0] ?? 'identifier';
  const identifier = reader.string(identifierField, { required: true });
  for (const extra of given.slice(1)) {
    reader.add(extra, 'CONFLICTING_FIELDS', 'send only one of identifier, username or uuid');
  }
  const password = reader.string('password');
  const proof = reader.oneOf('proof', PROOF_MODES);
  const challengeId = reader.string('challenge_id');
  const signature = reader.string('signature');
  const deviceId = reader.string('device_id');
  const fingerprint = reader.string('client_cert_fp');
  reader.finish();
  return {
    identifier: (identifier as string).normalize('NFKC').trim(),
    password: password as string,
    proof,
    challengeId,
    signature,
    deviceId,
    fingerprint,
  };
}
