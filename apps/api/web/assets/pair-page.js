/**
 * Adding this browser to an existing account with a one-time pairing token (issued on the devices page of a
 * signed-in device): makes a non-extractable ECDSA P-256 device key, sends a PKCS#10 CSR (RFC 2986) built in
 * the browser with the token, username and password to `POST /devices`, and keeps the key (IndexedDB) and the
 * issued certificate (localStorage) exactly as registration does, so the login page works from here.
 *
 * The token field also takes the whole QR payload (`city-auth:pair?v=1&uuid=..&token=..`) and is prefilled
 * from `/pair?token=..` (the link the pairing QR code carries); only the token itself is sent.
 */
import { ApiError } from './api.js';
import { enrolDevice, showEnrolled } from './enrol-device.js';
import { onSubmit } from './form-submit.js';
import { initLanguage, t } from './i18n.js';

const QR_PREFIX = 'city-auth:pair?';

initLanguage();

const form = /** @type {HTMLFormElement} */ (document.getElementById('pair-form'));
const tokenInput = /** @type {HTMLInputElement} */ (document.getElementById('pairing_token'));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById('pair-submit'));

/**
 * The pairing token in what was typed or pasted: the `token` parameter of a QR payload or of a `/pair?token=`
 * link, else the text itself (whitespace removed: tokens get split across lines when copied).
 *
 * @param {string} entered
 * @returns {string} empty when a payload or link carries no token.
 */
function pairingTokenFrom(entered) {
  const text = entered.trim();
  if (text.toLowerCase().startsWith(QR_PREFIX)) {
    return (new URLSearchParams(text.slice(QR_PREFIX.length)).get('token') ?? '').trim();
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      return (new URL(text).searchParams.get('token') ?? '').trim();
    } catch {
      return '';
    }
  }
  return text.replace(/\s+/g, '');
}

/**
 * The request body from the form, or a local VALIDATION_FAILED naming the empty required fields (before a
 * device key is made for nothing).
 *
 * @returns {Record<string, string>}
 */
function formBody() {
  const data = new FormData(form);
  const entered = String(data.get('pairing_token') ?? '');
  const token = pairingTokenFrom(entered);
  const username = String(data.get('username') ?? '');
  const password = String(data.get('password') ?? '');
  /** @type {{ field: string, code: string, message: string }[]} */
  const issues = [];
  if (entered.trim() === '')
    issues.push({ field: 'pairing_token', code: 'REQUIRED', message: t('form.required') });
  else if (token === '')
    issues.push({ field: 'pairing_token', code: 'INVALID_FORMAT', message: t('pair.tokenMissing') });
  if (username.trim() === '')
    issues.push({ field: 'username', code: 'REQUIRED', message: t('form.required') });
  if (password === '') issues.push({ field: 'password', code: 'REQUIRED', message: t('form.required') });
  if (issues.length > 0) throw new ApiError(0, 'VALIDATION_FAILED', t('form.invalid'), issues);
  /** @type {Record<string, string>} */
  const body = { pairing_token: token, username, password };
  const label = String(data.get('device_label') ?? '').trim();
  if (label !== '') body.device_label = label;
  return body;
}

// The form is checked before a device key is made for nothing.
onSubmit(form, submit, async () => {
  showEnrolled(form, await enrolDevice('/devices', formBody()));
});

// A `/pair?token=..[&label=..]` link (the pairing QR code opens one) fills the fields; the token is then
// dropped from the address bar and history.
const query = new URLSearchParams(location.search);
const linked = query.get('token');
if (linked !== null && linked.trim() !== '') {
  tokenInput.value = linked.trim();
  const label = query.get('label');
  const labelInput = /** @type {HTMLInputElement} */ (document.getElementById('device_label'));
  if (label !== null && label.trim() !== '' && labelInput.value === '')
    labelInput.value = label.trim().slice(0, 64);
}
if (location.search !== '') history.replaceState(null, '', location.pathname);
