/**
 * {@link AuthClient} over the HTTP API with `fetch`. Error bodies `{ error: { code, message, fields? } }`
 * become CityErrors with the same code, so they print and exit exactly as in direct mode; a refused
 * connection is `SERVICE_UNAVAILABLE` (exit 3), an unknown host or a TLS failure `API_ADDRESS_INVALID`
 * (exit 2), an HTTP 429 without a code `RATE_LIMITED` (exit 3), with `Retry-After` either way.
 */
import { CityError, type FieldIssue } from '@city/errors';
import type {
  DeviceSummary,
  LoginChallenge,
  LoginResult,
  MeResult,
  PairedDeviceResult,
  PairingTokenResult,
  RecoveredDeviceResult,
  RecoveryCodesResult,
  RecoveryCodesStatus,
  RefreshResult,
  RegistrationResult,
} from '@city/registration-core';
import type { AuthClient } from './auth-client.js';
import { CliError } from './cli-error.js';

/** An error answered by the API, carrying the API's code. */
class ApiError extends CityError {}

interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly accessToken?: string;
}

/**
 * Creates an {@link AuthClient} for the API at `baseUrl`.
 *
 * @throws CliError `USAGE_ERROR` when `baseUrl` is not an http(s) URL
 * @example
 * ```ts
 * const client = createApiAuthClient('http://127.0.0.1:3000');
 * ```
 */
export function createApiAuthClient(
  baseUrl: string,
  options: { userAgent?: string; timeoutMs?: number } = {},
): AuthClient {
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch (cause) {
    throw new CliError('USAGE_ERROR', `--api expects an http(s) URL, got ${JSON.stringify(baseUrl)}`, {
      cause,
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new CliError('USAGE_ERROR', `--api expects an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request<T>(req: RequestOptions): Promise<T> {
    const url = new URL(req.path.replace(/^\//, ''), base);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'city-cli',
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.accessToken !== undefined) headers.authorization = `Bearer ${req.accessToken}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const reason = describeNetworkError(cause);
      if (isAddressProblem(cause)) {
        throw new CliError(
          'API_ADDRESS_INVALID',
          `cannot use the API address ${base.origin} (${reason}); check --api or CITY_API_URL`,
          { cause },
        );
      }
      throw new CliError('SERVICE_UNAVAILABLE', `cannot reach the API at ${base.origin} (${reason})`, {
        cause,
      });
    }
    const text = await response.text();
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        if (response.ok)
          throw new CliError(
            'API_ERROR',
            `the API answered ${req.method} ${req.path} with non-JSON content`,
            { cause },
          );
      }
    }
    if (!response.ok) throw errorFromResponse(response, parsed, req);
    return parsed as T;
  }

  return {
    mode: 'api',
    register: (body) => request<RegistrationResult>({ method: 'POST', path: '/register', body }),
    createLoginChallenge: () =>
      request<LoginChallenge>({ method: 'POST', path: '/login/challenge', body: {} }),
    login: (body) => request<LoginResult>({ method: 'POST', path: '/login', body }),
    createRefreshChallenge: () =>
      request<LoginChallenge>({ method: 'POST', path: '/token/refresh/challenge', body: {} }),
    refresh: (body) => request<RefreshResult>({ method: 'POST', path: '/token/refresh', body }),
    logout: async (accessToken) => {
      await request<unknown>({ method: 'POST', path: '/logout', accessToken, body: {} });
    },
    revokeToken: async (token, hint) => {
      await request<unknown>({
        method: 'POST',
        path: '/token/revoke',
        body: { token, token_type_hint: hint },
      });
    },
    me: (accessToken) => request<MeResult>({ method: 'GET', path: '/me', accessToken }),
    requestPairingToken: (accessToken, body) =>
      request<PairingTokenResult>({ method: 'POST', path: '/pairing-tokens', accessToken, body }),
    registerDeviceWithPairingToken: (body) =>
      request<PairedDeviceResult>({ method: 'POST', path: '/devices', body }),
    recoverAccount: (body) => request<RecoveredDeviceResult>({ method: 'POST', path: '/recover', body }),
    regenerateRecoveryCodes: (accessToken) =>
      request<RecoveryCodesResult>({ method: 'POST', path: '/recovery-codes', accessToken, body: {} }),
    recoveryCodesStatus: (accessToken) =>
      request<RecoveryCodesStatus>({ method: 'GET', path: '/recovery-codes', accessToken }),
    listDevices: async (accessToken) => {
      const result = await request<unknown>({ method: 'GET', path: '/devices', accessToken });
      return unwrapList(result);
    },
    revokeDevice: (accessToken, deviceId, options = {}) =>
      request<DeviceSummary>({
        method: 'DELETE',
        path: `/devices/${encodeURIComponent(deviceId)}${options.confirmLastDevice === true ? '?confirm_last_device=true' : ''}`,
        accessToken,
      }),
    close: async () => {},
  };
}

/** The device list whether the API answers with an array or wraps it (`{ devices }` / `{ items }`). */
function unwrapList(result: unknown): readonly DeviceSummary[] {
  if (Array.isArray(result)) return result as DeviceSummary[];
  if (result !== null && typeof result === 'object') {
    const record = result as { devices?: unknown; items?: unknown };
    if (Array.isArray(record.devices)) return record.devices as DeviceSummary[];
    if (Array.isArray(record.items)) return record.items as DeviceSummary[];
  }
  throw new CliError('API_ERROR', 'the API answered GET /devices with an unexpected shape');
}

function errorFromResponse(response: Response, body: unknown, req: RequestOptions): CityError {
  const error = (
    body as
      | { error?: { code?: unknown; message?: unknown; fields?: unknown; retryAfterSeconds?: unknown } }
      | undefined
  )?.error;
  const retryHeader = parseRetryAfter(response.headers.get('retry-after'));
  const retryAfterSeconds =
    typeof error?.retryAfterSeconds === 'number' ? error.retryAfterSeconds : retryHeader;
  if (error !== undefined && typeof error.code === 'string') {
    const fields = Array.isArray(error.fields) ? (error.fields as FieldIssue[]) : undefined;
    return new ApiError(error.code, typeof error.message === 'string' ? error.message : error.code, {
      ...(fields === undefined ? {} : { fields }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (response.status === 429) {
    return new CliError(
      'RATE_LIMITED',
      `the API answered ${req.method} ${req.path} with HTTP 429 (too many requests)`,
      retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
    );
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    return new CliError(
      'SERVICE_UNAVAILABLE',
      `the API answered ${req.method} ${req.path} with HTTP ${response.status}`,
    );
  }
  return new CliError('API_ERROR', `the API answered ${req.method} ${req.path} with HTTP ${response.status}`);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (cause !== undefined && typeof cause.code === 'string') return cause.code;
    if (cause !== undefined && typeof cause.message === 'string' && cause.message !== '')
      return cause.message;
    return error.message;
  }
  return String(error);
}

/** `Retry-After` in seconds, from delay-seconds or an HTTP-date (RFC 9110 section 10.2.3). */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** TLS failures: wrong scheme for the port, untrusted, expired or mismatched certificates. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/**
 * True when the failure is in the address itself (a host name that does not resolve, a TLS
 * mismatch), which retrying will not fix; a refused or timed-out connection may be a service that is
 * down and is not.
 */
function isAddressProblem(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof code !== 'string') return false;
  return (
    code === 'ENOTFOUND' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || TLS_CODES.has(code)
  );
}
