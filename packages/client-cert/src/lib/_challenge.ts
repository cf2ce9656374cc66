/** Challenge encoding shared by signing and verification: strings are UTF-8, bytes are used as given. */
import { invalidArgument, typeName } from './_guards.js';

export const MAX_CHALLENGE_BYTES = 64 * 1024;

export function challengeBytes(challenge: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof challenge === 'string') bytes = new TextEncoder().encode(challenge);
  else if (challenge instanceof Uint8Array) bytes = challenge;
  else throw invalidArgument(`"challenge" expected a string or Uint8Array, got ${typeName(challenge)}`);
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_CHALLENGE_BYTES) {
    throw invalidArgument(`"challenge" expected 1 to ${MAX_CHALLENGE_BYTES} bytes, got ${bytes.byteLength}`);
  }
  return bytes;
}
