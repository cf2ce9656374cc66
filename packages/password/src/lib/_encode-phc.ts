/** Writes our Argon2id PHC string: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt B64>$<hash B64>`. */
import { encodeB64 } from './_b64.js';

export function encodeArgon2idPhc(
  params: { memory: number; passes: number; parallelism: number },
  salt: Uint8Array,
  hash: Uint8Array,
): string {
  return `$argon2id$v=19$m=${params.memory},t=${params.passes},p=${params.parallelism}$${encodeB64(salt)}$${encodeB64(hash)}`;
}
