/**
 * Loads the KEM private key from a file or an environment variable (armoured or bare base64).
 * Errors name the source, never the content.
 */
import { readFile } from 'node:fs/promises';
import { KeyVaultError } from './keyvault-error.js';
import { decodePrivateKey, encodePrivateKey } from './lib/_key-encoding.js';

/** Where {@link loadKemPrivateKey} looks; `file` wins over `envVar` when both are given. */
export interface LoadKemPrivateKeyOptions {
  /** Path of a key file (PEM armour or base64). */
  readonly file?: string;
  /** Name of the environment variable holding the key (default `CITY_KEM_PRIVATE_KEY`). */
  readonly envVar?: string;
  /** Environment to read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Default environment variable for the KEM private key. */
export const KEM_PRIVATE_KEY_ENV = 'CITY_KEM_PRIVATE_KEY';

/**
 * Load and validate a KEM private key; returns its canonical base64 form.
 *
 * @throws KeyVaultError `INVALID_ARGUMENT` (no source / file unreadable / variable unset), `KEY_MALFORMED`.
 * @example
 * ```ts
 * const privateKey = await loadKemPrivateKey({ file: process.env.CITY_KEM_PRIVATE_KEY_FILE });
 * const vault = await KeyVault.open({ store, privateKey });
 * ```
 */
export async function loadKemPrivateKey(options: LoadKemPrivateKeyOptions = {}): Promise<string> {
  let text: string;
  let source: string;
  if (options.file !== undefined) {
    if (typeof options.file !== 'string' || options.file.length === 0) {
      throw new KeyVaultError('INVALID_ARGUMENT', '"file" expected a non-empty path string');
    }
    source = `file ${options.file}`;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (cause) {
      throw new KeyVaultError('INVALID_ARGUMENT', `KEM private key ${source} cannot be read`, { cause });
    }
  } else {
    const name = options.envVar ?? KEM_PRIVATE_KEY_ENV;
    source = `environment variable ${name}`;
    const value = (options.env ?? process.env)[name];
    if (value === undefined || value.trim() === '') {
      throw new KeyVaultError('INVALID_ARGUMENT', `KEM private key ${source} is not set`);
    }
    text = value;
  }
  try {
    const decoded = decodePrivateKey(text.trim());
    return encodePrivateKey(decoded.algorithm, decoded.secretKey, decoded.publicKey);
  } catch (error) {
    if (error instanceof KeyVaultError) {
      throw new KeyVaultError(
        error.code,
        `KEM private key from ${source} is not a valid City KEM private key`,
      );
    }
    throw error;
  }
}
