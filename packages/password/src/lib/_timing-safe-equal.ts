/** Constant-time equality for equal-length digests (node:crypto timingSafeEqual). */
import { timingSafeEqual } from 'node:crypto';

export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths come from the stored hash's format, not from the secret, so comparing them is not a leak.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
