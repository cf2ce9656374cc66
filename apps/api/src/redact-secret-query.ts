/**
 * Request URLs in logs without secrets: a query parameter that carries a password, a token, a code,
 * a key or a My Number keeps its name and loses its value. Pages never put secrets in a URL (their
 * forms post), but a hand-written link, a script-less form submission or a client's mistake can, and
 * the request log must not keep what the client should not have sent.
 */

/** Normalised parameter names whose values are never logged (also any name ending in password, token or secret). */
export const SECRET_QUERY_PARAMETERS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'token',
  'code',
  'mynumber',
  'qrcode',
  'signature',
  'privatekey',
  'privatekeypem',
  'csr',
  'secret',
  'apikey',
  'assertion',
];

const SECRET_NAMES = new Set(SECRET_QUERY_PARAMETERS);
const SECRET_SUFFIX = /(password|token|secret)$/;
const REDACTED = '[redacted]';

/** `my_number`, `My-Number`, `pairing_token[]` and `%6Dynumber` all name the same parameter. */
function normalisedName(raw: string): string {
  let name = raw.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // A malformed escape: compare the raw spelling.
  }
  return name
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '')
    .replace(/[^a-z0-9]/g, '');
}

function isSecret(rawName: string): boolean {
  const name = normalisedName(rawName);
  return SECRET_NAMES.has(name) || SECRET_SUFFIX.test(name);
}

/**
 * `url` with the value of every secret-bearing query parameter replaced by `[redacted]`.
 *
 * @throws never
 * @example
 * ```ts
 * redactSecretQuery('/login?user=a&password=hunter2'); // '/login?user=a&password=[redacted]'
 * ```
 */
export function redactSecretQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url.slice(start + 1);
  const parts = query.split('&').map((part) => {
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    if (!isSecret(name)) return part;
    return equals === -1 ? part : `${name}=${REDACTED}`;
  });
  return `${url.slice(0, start)}?${parts.join('&')}`;
}
