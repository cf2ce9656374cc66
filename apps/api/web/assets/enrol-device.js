/**
 * Giving this browser a device of an account, shared by registration (`POST /register`) and pairing
 * (`POST /devices`): a non-extractable ECDSA P-256 key made here, a PKCS#10 CSR (RFC 2986) for it sent with
 * the form, then the key kept in IndexedDB and the issued certificate in localStorage, where the login page
 * finds them.
 */
import { ApiError, publicRequest } from './api.js';
import { createCsrPem } from './csr.js';
import { generateDeviceKey, saveAccount, saveDeviceKey } from './device-key.js';

/** @returns {string} CN for the CSR: the username when it fits, else a generic label (the CA sets the real subject). */
function commonNameFor(/** @type {string} */ username) {
  const trimmed = username.trim();
  return trimmed.length >= 1 && trimmed.length <= 64 ? trimmed : 'device';
}

/**
 * Makes the device key, posts `body` with its CSR to `path` and keeps the key and the issued certificate.
 *
 * @param {'/register' | '/devices'} path
 * @param {Record<string, string> & { username: string }} body
 * @returns {Promise<any>} the API's answer (`uuid`, `deviceId`, `certificatePem`, `fingerprint`, ...).
 */
export async function enrolDevice(path, body) {
  if (globalThis.crypto?.subtle === undefined || globalThis.indexedDB === undefined) {
    throw new ApiError(0, 'WEBCRYPTO_UNAVAILABLE', 'WebCrypto or IndexedDB is unavailable.');
  }
  const keyPair = await generateDeviceKey();
  const csr = await createCsrPem(keyPair, commonNameFor(body.username));
  const answer = await publicRequest('POST', path, { ...body, csr });
  await saveDeviceKey(answer.uuid, keyPair);
  saveAccount({
    uuid: answer.uuid,
    // A pairing answer names no username; keep the typed one as the login page matches it (NFKC, lower case).
    username: answer.username ?? body.username.normalize('NFKC').trim().toLowerCase(),
    deviceId: answer.deviceId,
    certificatePem: answer.certificatePem,
    fingerprint: answer.fingerprint,
    registeredAt: new Date().toISOString(),
  });
  return answer;
}

/**
 * Replaces `form` with the page's `#result` section naming the new device, and moves focus to its heading.
 *
 * @param {HTMLFormElement} form
 * @param {{ uuid: string, deviceId: string, fingerprint: string }} answer
 */
export function showEnrolled(form, answer) {
  form.reset();
  form.hidden = true;
  /** @type {HTMLElement} */ (document.getElementById('result-uuid')).textContent = answer.uuid;
  /** @type {HTMLElement} */ (document.getElementById('result-device')).textContent = answer.deviceId;
  /** @type {HTMLElement} */ (document.getElementById('result-fingerprint')).textContent = answer.fingerprint;
  /** @type {HTMLElement} */ (document.getElementById('result')).hidden = false;
  const heading = /** @type {HTMLElement} */ (document.getElementById('result-heading'));
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}
