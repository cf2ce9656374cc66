/**
 * Loads the optional native peer `mongodb-client-encryption` (internal). The driver needs it for
 * ClientEncryption; checking first turns the driver's generic missing-dependency error into one clear
 * `CSFLE_UNAVAILABLE`.
 */
import { KeyVaultError } from '../keyvault-error.js';

export const CLIENT_ENCRYPTION_MODULE = 'mongodb-client-encryption';

export async function loadClientEncryption(specifier: string = CLIENT_ENCRYPTION_MODULE): Promise<void> {
  try {
    const loaded = (await import(specifier)) as Record<string, unknown>;
    const exports = (loaded.default ?? loaded) as Record<string, unknown>;
    if (typeof exports.MongoCrypt !== 'function' && typeof loaded.MongoCrypt !== 'function') {
      throw new Error(`${specifier} does not export MongoCrypt`);
    }
  } catch (cause) {
    throw new KeyVaultError(
      'CSFLE_UNAVAILABLE',
      `MongoDB client-side field level encryption is unavailable: the native module "${specifier}" could not be loaded. ` +
        `Install it next to mongodb (pnpm add ${CLIENT_ENCRYPTION_MODULE}@^7.2.0, allowing its install script to fetch ` +
        'or build libmongocrypt); everything else in @city/ntru-keyvault works without it.',
      { cause },
    );
  }
}
