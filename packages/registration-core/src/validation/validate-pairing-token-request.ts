/** Validation of the pairing token request against {@link PairingTokenRequestInputSchema}. */
import { PairingTokenRequestInputSchema } from '../contracts/pairing-input-schema.js';
import { InputReader } from './_input-reader.js';

/**
 * Validates a raw pairing token request (optional body); returns the device label asked for.
 *
 * @throws AuthError `VALIDATION_FAILED`
 * @example
 * ```ts
 * validatePairingTokenRequest({ device_label: 'Kitchen tablet' }); // 'Kitchen tablet'
 * ```
 */
export function validatePairingTokenRequest(input: unknown): string | undefined {
  const reader = new InputReader(input, PairingTokenRequestInputSchema, { optionalBody: true });
  const deviceLabel = reader.text('device_label', 64);
  reader.finish();
  return deviceLabel;
}
