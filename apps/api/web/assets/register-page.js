/**
 * Registration: makes a non-extractable ECDSA P-256 device key, sends a PKCS#10 CSR (RFC 2986) built in
 * the browser with the form, and keeps the key (IndexedDB) and the issued certificate (localStorage).
 */
import { enrolDevice, showEnrolled } from './enrol-device.js';
import { onSubmit } from './form-submit.js';
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
const submit = /** @type {HTMLButtonElement} */ (document.getElementById('register-submit'));

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

/**
 * Shows the account's recovery codes, returned by the registration only this once, with a copy button and a
 * text file to download; they live only in this page (nothing is stored in the browser).
 *
 * @param {readonly string[]} codes
 */
function showRecoveryCodes(codes) {
  const list = /** @type {HTMLOListElement} */ (document.getElementById('recovery-codes'));
  list.replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      const text = document.createElement('code');
      text.textContent = code;
      item.append(text);
      return item;
    }),
  );
  const file = `City Chain Auth recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = /** @type {HTMLAnchorElement} */ (document.getElementById('recovery-download'));
  download.href = URL.createObjectURL(new Blob([file], { type: 'text/plain' }));
  const copied = /** @type {HTMLElement} */ (document.getElementById('recovery-copied'));
  /** @type {HTMLButtonElement} */ (document.getElementById('recovery-copy')).onclick = async () => {
    await navigator.clipboard.writeText(codes.join('\n'));
    copied.textContent = t('register.recovery.copied');
  };
}

onSubmit(form, submit, async () => {
  const answer = await enrolDevice('/register', formBody());
  showEnrolled(form, answer);
  showRecoveryCodes(/** @type {{ recoveryCodes?: string[] }} */ (answer).recoveryCodes ?? []);
});
