/**
 * The devices page: who is signed in, the account's devices (the current one marked) with revocation, a
 * one-time pairing code shown as a QR image for adding a device, and logout.
 *
 * The QR code arrives as SVG text from the API; it is shown through an `<img>` with a `data:image/svg+xml`
 * URL, where SVG cannot run scripts or load anything, instead of being inserted into the DOM.
 */
import { ApiError, authorizedRequest, clearSession, loadSession } from './api.js';
import { clearError, showError } from './error-view.js';
import { formatDateTime, initLanguage, t } from './i18n.js';

initLanguage();

const errorRegion = /** @type {HTMLElement} */ (document.getElementById('error'));
const notice = /** @type {HTMLElement} */ (document.getElementById('notice'));
const signedIn = /** @type {HTMLElement} */ (document.getElementById('signed-in'));
const loginLink = /** @type {HTMLElement} */ (document.getElementById('login-link'));
const who = /** @type {HTMLElement} */ (document.getElementById('who'));
const rows = /** @type {HTMLElement} */ (document.getElementById('device-rows'));
const pairButton = /** @type {HTMLButtonElement} */ (document.getElementById('pair-button'));
const logoutButton = /** @type {HTMLButtonElement} */ (document.getElementById('logout-button'));
const pairing = /** @type {HTMLElement} */ (document.getElementById('pairing'));
const pairingQr = /** @type {HTMLImageElement} */ (document.getElementById('pairing-qr'));
const pairingToken = /** @type {HTMLElement} */ (document.getElementById('pairing-token'));
const pairingExpiry = /** @type {HTMLElement} */ (document.getElementById('pairing-expiry'));
const pairingLink = /** @type {HTMLAnchorElement} */ (document.getElementById('pairing-link'));

/**
 * @typedef {{ deviceId: string, label?: string, status: 'active' | 'revoked', fingerprint: string,
 *   createdAt: string, revokedAt?: string, current: boolean }} Device
 */

/** What is on screen, kept so a language switch can re-render it. */
const state = {
  /** @type {string | undefined} */ username: undefined,
  /** @type {Device[]} */ devices: [],
  /** @type {{ token: string, expiresAt: string, url?: string } | undefined} */ pairing: undefined,
  /** @type {{ key: string, params: Record<string, string> } | undefined} */ notice: undefined,
};

/** @param {{ key: string, params?: Record<string, string> } | undefined} message */
function setNotice(message) {
  state.notice = message === undefined ? undefined : { key: message.key, params: message.params ?? {} };
  notice.textContent = state.notice === undefined ? '' : t(state.notice.key, state.notice.params);
}

/** @param {Device} device */
function deviceName(device) {
  return device.label !== undefined && device.label !== '' ? device.label : device.deviceId;
}

function renderDevices() {
  if (state.username !== undefined) who.textContent = t('devices.signedInAs', { username: state.username });
  rows.replaceChildren();
  if (state.devices.length === 0) {
    const row = rows.insertRow();
    const cell = row.insertCell();
    cell.colSpan = 5;
    cell.textContent = t('devices.empty');
    return;
  }
  for (const device of state.devices) {
    const row = rows.insertRow();
    row.dataset.deviceId = device.deviceId;
    row.dataset.status = device.status;
    const nameCell = document.createElement('th');
    nameCell.scope = 'row';
    nameCell.textContent = deviceName(device);
    if (device.current) {
      const badge = document.createElement('strong');
      badge.className = 'badge';
      badge.textContent = t('devices.current');
      nameCell.append(' ', badge);
      row.classList.add('current');
    }
    row.append(nameCell);
    const statusCell = row.insertCell();
    statusCell.className = `status-${device.status}`;
    statusCell.textContent = t(`devices.status.${device.status}`);
    if (device.status === 'revoked' && device.revokedAt !== undefined) {
      const when = document.createElement('small');
      when.textContent = ` (${t('devices.revokedAt', { date: formatDateTime(device.revokedAt) })})`;
      statusCell.append(when);
    }
    row.insertCell().textContent = formatDateTime(device.createdAt);
    const fingerprintCell = row.insertCell();
    const fingerprint = document.createElement('code');
    fingerprint.textContent = `${device.fingerprint.slice(0, 16)}…`;
    fingerprint.title = device.fingerprint;
    fingerprintCell.append(fingerprint);
    const actionCell = row.insertCell();
    if (device.status === 'active') {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'danger';
      button.textContent = t('devices.revoke');
      button.setAttribute('aria-label', t('devices.revoke.label', { device: deviceName(device) }));
      button.addEventListener('click', () => revoke(device, button));
      actionCell.append(button);
    }
  }
}

function renderPairing() {
  if (state.pairing === undefined) {
    pairing.hidden = true;
    return;
  }
  pairingQr.alt = t('devices.pair.qr');
  pairingToken.textContent = state.pairing.token;
  // The link carries the token, so it can be sent to the new device and opens /pair filled in (the QR code
  // encodes the same link, on the service's public address).
  pairingLink.href = state.pairing.url ?? `/pair?token=${encodeURIComponent(state.pairing.token)}`;
  pairingExpiry.textContent = t('devices.pair.expires', { date: formatDateTime(state.pairing.expiresAt) });
  pairing.hidden = false;
}

/**
 * Shows an error; an authentication failure also ends the page's session.
 *
 * @param {unknown} error
 */
function fail(error) {
  showError(errorRegion, error, undefined);
  if (error instanceof ApiError && error.status === 401) {
    signedIn.hidden = true;
    loginLink.hidden = false;
  }
}

async function load() {
  const [me, listed] = await Promise.all([
    authorizedRequest('GET', '/me'),
    authorizedRequest('GET', '/devices'),
  ]);
  state.username = me.username;
  state.devices = Array.isArray(listed) ? listed : (listed?.devices ?? listed?.items ?? []);
  renderDevices();
  signedIn.hidden = false;
}

/**
 * @param {Device} device
 * @param {HTMLButtonElement} button
 */
async function revoke(device, button) {
  // The last active device is the last way to log in: say so, and confirm it to the server explicitly.
  const last = !state.devices.some((d) => d.status === 'active' && d.deviceId !== device.deviceId);
  const question = last
    ? t('devices.revoke.confirmLast')
    : device.current
      ? t('devices.revoke.confirmCurrent')
      : t('devices.revoke.confirm', { device: deviceName(device) });
  if (!window.confirm(question)) return;
  clearError(errorRegion);
  button.disabled = true;
  try {
    await authorizedRequest(
      'DELETE',
      `/devices/${encodeURIComponent(device.deviceId)}${last ? '?confirm_last_device=true' : ''}`,
    );
    if (device.current) {
      clearSession();
      location.assign('/login');
      return;
    }
    setNotice({ key: 'devices.revoked', params: { device: deviceName(device) } });
    await load();
  } catch (error) {
    button.disabled = false;
    fail(error);
  }
}

pairButton.addEventListener('click', async () => {
  clearError(errorRegion);
  pairButton.disabled = true;
  try {
    const result = await authorizedRequest('POST', '/pairing-tokens', {});
    if (typeof result?.qrSvg !== 'string' || !result.qrSvg.trimStart().startsWith('<')) {
      throw new ApiError(0, 'QR_CODE_MISSING', 'The server sent no QR code.');
    }
    pairingQr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(result.qrSvg)}`;
    state.pairing = {
      token: result.token,
      expiresAt: result.expiresAt,
      url:
        typeof result.pairingUrl === 'string' && /^https?:\/\//.test(result.pairingUrl)
          ? result.pairingUrl
          : undefined,
    };
    renderPairing();
  } catch (error) {
    fail(error);
  } finally {
    pairButton.disabled = false;
  }
});

logoutButton.addEventListener('click', async () => {
  logoutButton.disabled = true;
  try {
    await authorizedRequest('POST', '/logout', {});
  } catch {
    // The session is dropped locally either way; an already-ended session is not worth an error.
  }
  clearSession();
  location.assign('/login');
});

document.addEventListener('city:language', () => {
  renderDevices();
  renderPairing();
  setNotice(state.notice);
});

if (loadSession() === undefined) {
  setNotice({ key: 'devices.loginRequired' });
  loginLink.hidden = false;
} else {
  load().catch(fail);
}
