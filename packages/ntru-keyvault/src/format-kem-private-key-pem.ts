/** PEM-style armour for KEM private keys, for key files (RFC 7468 textual encoding, own label). */
import { decodePrivateKey, PRIVATE_KEY_PEM_LABEL } from './lib/_key-encoding.js';

/**
 * Wrap a base64 KEM private key in `-----BEGIN CITY KEM PRIVATE KEY-----` armour (64-column lines).
 *
 * @throws KeyVaultError `KEY_MALFORMED` / `INVALID_ARGUMENT` when `privateKey` is not a KEM private key.
 * @example
 * ```ts
 * await writeFile('kem.key', formatKemPrivateKeyPem(pair.privateKey), { mode: 0o600, flag: 'wx' });
 * ```
 */
export function formatKemPrivateKeyPem(privateKey: string): string {
  decodePrivateKey(privateKey);
  const body = privateKey.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${PRIVATE_KEY_PEM_LABEL}-----\n${body.join('\n')}\n-----END ${PRIVATE_KEY_PEM_LABEL}-----\n`;
}
