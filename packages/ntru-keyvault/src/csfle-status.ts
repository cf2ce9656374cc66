/**
 * Whether MongoDB CSFLE through the native `mongodb-client-encryption` module can run here, so a
 * service can say at start which PII encryption it uses.
 */
import { loadClientEncryption } from './lib/_load-client-encryption.js';

/** What {@link csfleStatus} reports. */
export type CsfleStatus =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

/**
 * Tries to load the native module once; never throws.
 *
 * @throws never
 * @example
 * ```ts
 * const status = await csfleStatus();
 * if (!status.available) console.warn(`PII stays under the field cipher: ${status.reason}`);
 * ```
 */
export async function csfleStatus(): Promise<CsfleStatus> {
  try {
    await loadClientEncryption();
    return { available: true };
  } catch {
    return {
      available: false,
      reason:
        'the native module "mongodb-client-encryption" cannot be loaded; explicit CSFLE (createCsfleDataKey, createEncryptedCollection) uses the built-in implementation of its wire format',
    };
  }
}
