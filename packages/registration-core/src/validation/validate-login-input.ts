/**
 * Validation of the login body. The password is not checked against the policy here (older
 * accounts may predate it), only its type and size, so a wrong password is never a validation
 * error that would tell it apart from an unknown user.
 */
import type { ProofMode } from '../auth-config.js';
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

const LOGIN_FIELDS = [
  'identifier',
  'username',
  'uuid',
  'password',
  'proof',
  'challenge_id',
  'signature',
  'device_id',
  'client_cert_fp',
] as const;
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
  const reader = new InputReader(input, LOGIN_FIELDS);
  // `username` and the legacy `uuid` are aliases of `identifier`: exactly one of the three.
  const given = IDENTIFIER_FIELDS.filter((field) => reader.has(field));
  const identifierField = given[0] ?? 'identifier';
  const identifier = reader.string(identifierField, { required: true, maxLength: 320 });
  for (const extra of given.slice(1)) {
    reader.add(extra, 'CONFLICTING_FIELDS', 'send only one of identifier, username or uuid');
  }
  const password = reader.string('password', { required: true, maxLength: 4096 });
  const proof = reader.oneOf('proof', PROOF_MODES, false);
  const challengeId = reader.string('challenge_id', { required: false, maxLength: 128 });
  const signature = reader.string('signature', { required: false, maxLength: 16_384 });
  const deviceId = reader.string('device_id', { required: false, maxLength: 128 });
  const fingerprint = reader.string('client_cert_fp', { required: false, maxLength: 256 });
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
