/**
 * Registration: makes a non-extractable ECDSA P-256 device key, sends a PKCS#10 CSR (RFC 2986) built in
 * the browser with the form, and keeps the key (IndexedDB) and the issued certificate (localStorage).
 */
import { ApiError, publicRequest } from './api.js';
import { createCsrPem } from './csr.js';
import { generateDeviceKey, saveAccount, saveDeviceKey } from './device-key.js';
import { clearError, showError } from './error-view.js';
import { initLanguage, t } from './i18n.js';

const OPTIONAL_FIELDS = [
  'name',
  'birth_date',
  'address',
  'mynumber',
  'phone',
  'initial_harmony_token',
  'device_label',
];

initLanguage();

const form = /** @type {HTMLFormElement} */ (document.getElementById('register-form'));
const errorRegion = /** @type {HTMLElement} */ (document.getElementById('error'));
const status = /** @type {HTMLElement} */ (document.getElementById('status'));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById('register-submit'));
const result = /** @type {HTMLElement} */ (document.getElementById('result'));

/**
 * The request body from the form: required fields as typed, optional ones only when filled in.
 *
 * @returns {Record<string, string>}
 */
function formBody() {
  const data = new FormData(form);
  /** @type {Record<string, string>} */
  const body = {
    username: String(data.get('username') ?? ''),
    email: String(data.get('email') ?? ''),
    password: String(data.get('password') ?? ''),
  };
  for (const name of OPTIONAL_FIELDS) {
    const value = String(data.get(name) ?? '').trim();
    if (value !== '') body[name] = value;
  }
  return body;
}

/** @returns {string} CN for the CSR: the username when it fits, else a generic label (the CA sets the real subject). */
function commonNameFor(/** @type {string} */ username) {
  const trimmed = username.trim();
  return trimmed.length >= 1 && trimmed.length <= 64 ? trimmed : 'device';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError(errorRegion, form);
  submit.disabled = true;
  status.textContent = t('status.working');
  try {
    if (globalThis.crypto?.subtle === undefined || globalThis.indexedDB === undefined) {
      throw new ApiError(0, 'WEBCRYPTO_UNAVAILABLE', 'WebCrypto or IndexedDB is unavailable.');
    }
    const body = formBody();
    const keyPair = await generateDeviceKey();
    const csr = await createCsrPem(keyPair, commonNameFor(body.username));
    const registered = await publicRequest('POST', '/register', { ...body, csr });
    await saveDeviceKey(registered.uuid, keyPair);
    saveAccount({
      uuid: registered.uuid,
      username: registered.username,
      deviceId: registered.deviceId,
      certificatePem: registered.certificatePem,
      fingerprint: registered.fingerprint,
      registeredAt: new Date().toISOString(),
    });
    form.reset();
    form.hidden = true;
    /** @type {HTMLElement} */ (document.getElementById('result-uuid')).textContent = registered.uuid;
    /** @type {HTMLElement} */ (document.getElementById('result-device')).textContent = registered.deviceId;
    /** @type {HTMLElement} */ (document.getElementById('result-fingerprint')).textContent =
      registered.fingerprint;
    result.hidden = false;
    /** @type {HTMLElement} */ (document.getElementById('result-heading')).setAttribute('tabindex', '-1');
    /** @type {HTMLElement} */ (document.getElementById('result-heading')).focus();
  } catch (error) {
    showError(errorRegion, error, form);
    errorRegion.focus();
  } finally {
    submit.disabled = false;
    status.textContent = '';
  }
});
