/**
 * Login with password + device proof: fetch a one-time challenge, sign its exact UTF-8 text with the device
 * key in IndexedDB (ECDSA P-256 SHA-256, r‖s, base64url) and post both; the tokens go to sessionStorage.
 */
import { ApiError, publicRequest, saveSession } from './api.js';
import { findAccount, loadDeviceKey, signChallenge } from './device-key.js';
import { onSubmit } from './form-submit.js';
import { initLanguage, t } from './i18n.js';

initLanguage();

const form = /** @type {HTMLFormElement} */ (document.getElementById('login-form'));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById('login-submit'));

onSubmit(form, submit, async () => {
  const data = new FormData(form);
  const identifier = String(data.get('identifier') ?? '');
  const password = String(data.get('password') ?? '');
  /** @type {{ field: string, code: string, message: string }[]} */
  const missing = [];
  if (identifier.trim() === '')
    missing.push({ field: 'identifier', code: 'REQUIRED', message: t('form.required') });
  if (password === '') missing.push({ field: 'password', code: 'REQUIRED', message: t('form.required') });
  if (missing.length > 0) throw new ApiError(0, 'VALIDATION_FAILED', t('form.invalid'), missing);
  const account = findAccount(identifier);
  const keyPair = account === undefined ? undefined : await loadDeviceKey(account.uuid);
  if (account === undefined || keyPair === undefined)
    throw new ApiError(0, 'NO_DEVICE_KEY', t('login.noKey'));
  const challenge = await publicRequest('POST', '/login/challenge', {});
  const signature = await signChallenge(keyPair, challenge.challenge);
  const login = await publicRequest('POST', '/login', {
    identifier,
    password,
    proof: 'signature',
    challenge_id: challenge.challengeId,
    signature,
    device_id: account.deviceId,
  });
  saveSession({
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    deviceId: login.deviceId,
    uuid: login.user?.uuid,
    username: login.user?.username,
  });
  form.reset();
  location.assign('/devices');
});
