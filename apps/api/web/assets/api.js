/**
 * JSON calls to the City Chain Auth API from the pages, and the session tokens.
 *
 * Errors arrive as `{ error: { code, message, fields? } }` and become {@link ApiError}s. Bearer tokens
 * (RFC 6750) live in sessionStorage, so they end with the tab. An access token that the server reports as
 * `TOKEN_EXPIRED` is renewed once with the rotating refresh token (`POST /token/refresh`) and the call repeated.
 * A refresh proves possession of the device key: the page signs a fresh refresh challenge
 * (`POST /token/refresh/challenge`) with the key in IndexedDB, so a refresh token alone is worthless.
 * `Accept-Language` follows the page language so server messages match it.
 */
import { loadDeviceKey, signChallenge } from './device-key.js';
import { currentLanguage, t } from './i18n.js';

const SESSION_KEY = 'city.session';

/** @typedef {{ field: string, code: string, message: string }} FieldIssue */
/** @typedef {{ accessToken: string, refreshToken: string, deviceId: string, uuid?: string, username?: string }} Session */

/** An error answer of the API (or a local failure with its own code). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when no answer arrived.
   * @param {string} code stable error code.
   * @param {string} message human message (already localised by the server).
   * @param {readonly FieldIssue[]} [fields]
   */
  constructor(status, code, message, fields = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/** @returns {Session | undefined} */
export function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return session && typeof session.accessToken === 'string' ? session : undefined;
  } catch {
    return undefined;
  }
}

/** @param {Session} session */
export function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * One HTTP call; resolves with the parsed JSON (undefined for 204), rejects with an {@link ApiError}.
 *
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, accessToken?: string }} [options]
 * @returns {Promise<any>}
 */
async function send(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', 'Accept-Language': currentLanguage() };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.accessToken !== undefined) headers.Authorization = `Bearer ${options.accessToken}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached.');
  }
  const text = await response.text();
  /** @type {any} */
  let data;
  try {
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (response.ok) {
    // GET /devices is both a page and an API route: a page answer here means the server ignored `Accept`.
    if (text !== '' && data === undefined) {
      throw new ApiError(response.status, 'UNEXPECTED_RESPONSE', 'The server did not answer with JSON.');
    }
    return data;
  }
  const error = data?.error;
  if (error && typeof error.code === 'string') {
    throw new ApiError(
      response.status,
      error.code,
      typeof error.message === 'string' ? error.message : error.code,
      Array.isArray(error.fields) ? error.fields : [],
    );
  }
  throw new ApiError(
    response.status,
    `HTTP_${response.status}`,
    response.statusText || `HTTP ${response.status}`,
  );
}

/**
 * An unauthenticated call.
 *
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export function publicRequest(method, path, body) {
  return send(method, path, { body });
}

/**
 * Renews the session with its refresh token and a signature of a fresh refresh challenge with the device
 * key (proof of possession); the old refresh token is spent either way.
 *
 * @param {Session} session
 * @returns {Promise<Session>}
 */
export async function refreshSession(session) {
  const keyPair = session.uuid === undefined ? undefined : await loadDeviceKey(session.uuid);
  if (keyPair === undefined) throw new ApiError(0, 'NO_DEVICE_KEY', t('login.noKey'));
  const challenge = await send('POST', '/token/refresh/challenge', { body: {} });
  const signature = await signChallenge(keyPair, challenge.challenge);
  const pair = await send('POST', '/token/refresh', {
    body: { refresh_token: session.refreshToken, challenge_id: challenge.challengeId, signature },
  });
  const renewed = {
    ...session,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    deviceId: pair.deviceId ?? session.deviceId,
  };
  saveSession(renewed);
  return renewed;
}

/**
 * A call with the session's access token; renews an expired token once. Rejects with
 * `AUTHENTICATION_REQUIRED` when there is no session, and drops the session when it cannot be renewed.
 *
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function authorizedRequest(method, path, body) {
  const session = loadSession();
  if (session === undefined) throw new ApiError(401, 'AUTHENTICATION_REQUIRED', 'Please log in.');
  try {
    return await send(method, path, { body, accessToken: session.accessToken });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (error.code !== 'TOKEN_EXPIRED') {
      clearSession();
      throw error;
    }
  }
  let renewed;
  try {
    renewed = await refreshSession(session);
  } catch (error) {
    clearSession();
    throw error;
  }
  return send(method, path, { body, accessToken: renewed.accessToken });
}
