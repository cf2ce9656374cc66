/**
 * Data-key table (internal), stored in the capsule store under `datakeys` as UTF-8 JSON:
 *   { "v": 1, "masterKeyId": hex16, "keys": { <purpose>: { "id": hex16, "nonce": b64url, "ct": b64url } } }
 * Each data key (32 random bytes) is AES-256-GCM encrypted under KEK = HKDF-SHA-256(master key,
 * salt "city/ntru-keyvault/datakey-kek/v1", info "aes-256-gcm") with additional data
 * LP("city/datakey/v1") ‖ LP(purpose) ‖ LP(id), so entries cannot be swapped between purposes.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { KeyVaultError } from '../keyvault-error.js';
import { lengthPrefixed, toBase64Url, toHex } from './_bytes.js';

export interface DataKeyEntry {
  readonly id: string;
  readonly key: Uint8Array;
}

interface StoredEntry {
  id: string;
  nonce: string;
  ct: string;
}

interface StoredTable {
  v: 1;
  masterKeyId: string;
  keys: Record<string, StoredEntry>;
}

export function masterKeyId(masterKey: Uint8Array): string {
  return toHex(createHmac('sha256', masterKey).update('city/master-key-id/v1').digest().subarray(0, 8));
}

function kek(masterKey: Uint8Array): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', masterKey, 'city/ntru-keyvault/datakey-kek/v1', 'aes-256-gcm', 32),
  );
}

function malformed(): KeyVaultError {
  return new KeyVaultError('CAPSULE_MALFORMED', 'data-key table is malformed');
}

export function parseDataKeyTable(bytes: Uint8Array | undefined): StoredTable | undefined {
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw malformed();
  }
  const table = value as StoredTable;
  if (
    typeof table !== 'object' ||
    table === null ||
    table.v !== 1 ||
    typeof table.masterKeyId !== 'string' ||
    typeof table.keys !== 'object' ||
    table.keys === null
  ) {
    throw malformed();
  }
  return table;
}

export function decryptDataKeys(table: StoredTable, masterKey: Uint8Array): Map<string, DataKeyEntry> {
  const key = kek(masterKey);
  const out = new Map<string, DataKeyEntry>();
  for (const [purpose, entry] of Object.entries(table.keys)) {
    try {
      const nonce = Buffer.from(entry.nonce, 'base64url');
      const body = Buffer.from(entry.ct, 'base64url');
      const gcm = createDecipheriv('aes-256-gcm', key, nonce);
      gcm.setAAD(lengthPrefixed('city/datakey/v1', purpose, entry.id));
      gcm.setAuthTag(body.subarray(body.length - 16));
      const plain = Buffer.concat([gcm.update(body.subarray(0, body.length - 16)), gcm.final()]);
      out.set(purpose, { id: entry.id, key: new Uint8Array(plain) });
    } catch (cause) {
      throw new KeyVaultError('KEYVAULT_UNWRAP_FAILED', 'data key unwrap failed', { cause });
    }
  }
  key.fill(0);
  return out;
}

export function encryptDataKeys(
  entries: ReadonlyMap<string, DataKeyEntry>,
  masterKey: Uint8Array,
): Uint8Array {
  const key = kek(masterKey);
  const keys: Record<string, StoredEntry> = {};
  for (const [purpose, entry] of entries) {
    const nonce = randomBytes(12);
    const gcm = createCipheriv('aes-256-gcm', key, nonce);
    gcm.setAAD(lengthPrefixed('city/datakey/v1', purpose, entry.id));
    const body = Buffer.concat([gcm.update(entry.key), gcm.final(), gcm.getAuthTag()]);
    keys[purpose] = { id: entry.id, nonce: toBase64Url(nonce), ct: toBase64Url(body) };
  }
  key.fill(0);
  const table: StoredTable = { v: 1, masterKeyId: masterKeyId(masterKey), keys };
  return new TextEncoder().encode(JSON.stringify(table));
}

export function newDataKey(): DataKeyEntry {
  return { id: randomBytes(8).toString('hex'), key: new Uint8Array(randomBytes(32)) };
}
