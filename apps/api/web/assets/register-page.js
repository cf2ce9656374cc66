/**
 * Registration: makes a non-extractable ECDSA P-256 device key, sends a PKCS#10 CSR (RFC 2986) built in
 * the browser with the form, and keeps the key (IndexedDB) and the issued certificate (localStorage).
 */
import { enrolDevice, showEnrolled } from './enrol-device.js';
import { onSubmit } from './form-submit.js';
import { initLanguage } from './i18n.js';

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

onSubmit(form, submit, async () => {
  showEnrolled(form, await enrolDevice('/register', formBody()));
});
