/**
 * The browser's device key: a non-extractable ECDSA P-256 key pair (FIPS 186-5, SHA-256) made by WebCrypto and
 * kept in IndexedDB. IndexedDB stores the CryptoKeyPair through the structured clone algorithm, which keeps the
 * key non-extractable: scripts can sign with it but never read the private key bytes.
 *
 * The public record of each account on this browser (uuid, username, device id, certificate) lives in
 * localStorage: none of it is secret.
 */

const DB_NAME = 'city-auth';
const DB_VERSION = 1;
const KEY_STORE = 'device-keys';
const ACCOUNTS_KEY = 'city.accounts';

/**
 * A device account remembered by this browser.
 *
 * @typedef {{ uuid: string, username: string, deviceId: string, certificatePem: string, fingerprint: string,
 *   registeredAt: string }} DeviceAccount
 */

/** @returns {Promise<IDBDatabase>} */
function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(KEY_STORE)) request.result.createObjectStore(KEY_STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs one request in a transaction on the key store.
 *
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} operation
 * @returns {Promise<T>}
 */
async function withKeyStore(mode, operation) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(KEY_STORE, mode);
      const request = operation(tx.objectStore(KEY_STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Generates a fresh non-extractable ECDSA P-256 key pair (not stored yet).
 *
 * @returns {Promise<CryptoKeyPair>}
 */
export function generateDeviceKey() {
  return /** @type {Promise<CryptoKeyPair>} */ (
    crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  );
}

/**
 * Stores the key pair of an account's device in IndexedDB under the account uuid.
 *
 * @param {string} uuid
 * @param {CryptoKeyPair} keyPair
 * @returns {Promise<void>}
 */
export async function saveDeviceKey(uuid, keyPair) {
  await withKeyStore('readwrite', (store) => store.put(keyPair, uuid));
}

/**
 * The stored key pair of an account, or undefined.
 *
 * @param {string} uuid
 * @returns {Promise<CryptoKeyPair | undefined>}
 */
export function loadDeviceKey(uuid) {
  return withKeyStore('readonly', (store) => store.get(uuid));
}

/**
 * Every account remembered by this browser, newest first.
 *
 * @returns {DeviceAccount[]}
 */
export function listAccounts() {
  try {
    const parsed = JSON.parse(localStorage.getItem(ACCOUNTS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/**
 * Remembers (or replaces) an account's public device record.
 *
 * @param {DeviceAccount} account
 */
export function saveAccount(account) {
  const others = listAccounts().filter((a) => a.uuid !== account.uuid);
  localStorage.setItem(ACCOUNTS_KEY, JSON.stringify([account, ...others]));
}

/**
 * The account a login identifier (uuid or username) refers to; with no match the most recent account, whose
 * key the server then judges (an email identifier cannot be matched locally).
 *
 * @param {string} identifier
 * @returns {DeviceAccount | undefined}
 */
export function findAccount(identifier) {
  const wanted = identifier.normalize('NFKC').trim().toLowerCase();
  const accounts = listAccounts();
  return accounts.find((a) => a.uuid.toLowerCase() === wanted || a.username === wanted) ?? accounts[0];
}

/**
 * base64url without padding (RFC 4648 §5).
 *
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64Url(bytes) {
  let binary = '';
  for (const octet of bytes) binary += String.fromCharCode(octet);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Signs the exact challenge string (UTF-8) with the device key: ECDSA P-256 SHA-256, IEEE P1363 r‖s, base64url.
 *
 * @param {CryptoKeyPair} keyPair
 * @param {string} challenge
 * @returns {Promise<string>}
 */
export async function signChallenge(keyPair, challenge) {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    keyPair.privateKey,
    new TextEncoder().encode(challenge),
  );
  return toBase64Url(new Uint8Array(signature));
}
