/**
 * Strict verification of our access and refresh tokens: JWS compact serialization (RFC 7515
 * §5.2), JWT claims (RFC 7519 §7.2), following the JWT BCP (RFC 8725) and RFC 9068 §4 for the
 * explicit `typ`. What is refused, and with which code:
 *
 * - not three base64url parts, non-canonical base64url, non-JSON or non-object header/payload,
 *   over 16 KiB, a `crit` or `b64` header, a non-string `kid` → `TOKEN_MALFORMED`;
 * - `alg` outside the allow-list, `none`, or different from the key's own `alg` (this is what
 *   defeats HS256-with-a-public-key confusion) → `TOKEN_ALG_NOT_ALLOWED`;
 * - missing or unknown `kid` → `TOKEN_KID_UNKNOWN`; keys are never taken from `jwk`/`jku`/`x5u`/`x5c` headers;
 * - a bad signature → `TOKEN_SIGNATURE_INVALID` with the fixed message "signature verification failed";
 * - header `typ` / payload `typ` not matching the expected kind → `TOKEN_TYPE_INVALID`;
 * - `exp`, `nbf`, `iat` outside the clock tolerance → `TOKEN_EXPIRED` / `TOKEN_NOT_YET_VALID`;
 * - `iss` / `aud` mismatch → `TOKEN_ISSUER_INVALID` / `TOKEN_AUDIENCE_INVALID`;
 * - missing or wrongly typed claims → `TOKEN_CLAIM_INVALID`; a revoked `jti` → `TOKEN_REVOKED`;
 * - `exp - iat` or `exp - now` above `maxLifetimeSeconds` (plus the tolerance) →
 *   `TOKEN_LIFETIME_EXCEEDED`: a validly signed token with a far-away `exp` is refused.
 *
 * With a {@link RemoteKeySet} the key is looked up (and fetched) by `kid` first; an unknown `kid`
 * is then `JWKS_NO_MATCHING_KEY`, and fetch failures are `JWKS_FETCH_FAILED` / `JWKS_TIMEOUT` /
 * `JWKS_INVALID`. Everything else is the same as with a local {@link KeySet}.
 *
 * The signature is checked before any claim is interpreted, so unsigned data never selects a code
 * path beyond `alg`/`kid` lookup.
 */
import { isJwtAlgorithm, type JwtAlgorithm } from './jwt-algorithm.js';
import { JwtError } from './jwt-error.js';
import type { KeySet } from './key-set.js';
import { decodeBase64url } from './lib/base64url.js';
import { assertNonEmptyString, assertNow } from './lib/issue-token.js';
import { verifyJws } from './lib/key-material.js';
import { RemoteKeySet } from './remote-key-set.js';
import type { SigningKey } from './signing-key.js';

/**
 * Largest token accepted, in characters; bigger input is refused before any parsing.
 *
 * @example `if (bearer.length > MAX_TOKEN_LENGTH) return reply.code(401).send()`
 */
export const MAX_TOKEN_LENGTH = 16 * 1024;
/**
 * Default clock tolerance for `exp`, `nbf` and `iat`, in seconds.
 *
 * @example `verifyToken(keys, t, { ...opts, clockToleranceSeconds: 0 })` to be exact instead
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

/** Options of {@link verifyToken}. */
export interface VerifyTokenOptions {
  /** The kind of token expected; an access token is never accepted as a refresh token and vice versa. */
  typ: 'access' | 'refresh';
  issuer: string;
  audience: string;
  now?: Date;
  /** Allowed clock skew for exp/nbf/iat in seconds, 0–300; default 5. */
  clockToleranceSeconds?: number;
  /** Allowed algorithms; default only the alg of the key named by `kid`. */
  algorithms?: JwtAlgorithm[];
  /** Revocation check for the token's `jti` (RFC 7009 revocation list). */
  isRevoked?: (jti: string) => boolean | Promise<boolean>;
  /** Longest accepted `exp - iat` and `exp - now`, in seconds (e.g. the issuer's access-token TTL); default no cap. */
  maxLifetimeSeconds?: number;
}

/** Header of a verified token. */
export interface VerifiedTokenHeader {
  alg: JwtAlgorithm;
  kid: string;
  typ: 'at+jwt' | 'rt+jwt';
}

/** Claims of a verified token. */
export interface VerifiedTokenClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  nbf?: number;
  iss: string;
  aud: string | string[];
  typ: 'access' | 'refresh';
  deviceId: string;
  roles?: string[];
  familyId?: string;
  generation?: number;
  sid?: string;
  [claim: string]: unknown;
}

/** The result of {@link verifyToken}. */
export interface VerifiedToken {
  header: VerifiedTokenHeader;
  claims: VerifiedTokenClaims;
}

const SIGNATURE_FAILED = 'signature verification failed';
/** One strict decoder for every token: `decode` without `stream` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const HEADER_TYP = { access: 'at+jwt', refresh: 'rt+jwt' } as const;

function malformed(message: string): JwtError {
  return new JwtError('TOKEN_MALFORMED', message);
}

function parseJsonObject(part: string, name: string): Record<string, unknown> {
  const bytes = decodeBase64url(part);
  if (bytes === undefined || bytes.length === 0) throw malformed(`token ${name} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw malformed(`token ${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`token ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** RFC 9068 §4 compares typ case-insensitively and allows the "application/" prefix (RFC 7515 §4.1.9). */
function normaliseTyp(typ: unknown): string | undefined {
  return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function claimError(name: string): JwtError {
  return new JwtError('TOKEN_CLAIM_INVALID', `"${name}" claim missing or invalid`);
}

function checkOptions(options: VerifyTokenOptions): { now: number; tolerance: number } {
  if (typeof options !== 'object' || options === null) {
    throw new JwtError('INVALID_ARGUMENT', '"options" expected { typ, issuer, audience }');
  }
  if (options.typ !== 'access' && options.typ !== 'refresh') {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"options.typ" expected "access" or "refresh", got ${JSON.stringify(options.typ)}`,
    );
  }
  assertNonEmptyString(options.issuer, 'options.issuer');
  assertNonEmptyString(options.audience, 'options.audience');
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"options.clockToleranceSeconds" expected 0-${MAX_CLOCK_TOLERANCE_SECONDS}, got ${tolerance}`,
    );
  }
  if (options.algorithms !== undefined) {
    if (!Array.isArray(options.algorithms) || options.algorithms.length === 0) {
      throw new JwtError('INVALID_ARGUMENT', '"options.algorithms" expected a non-empty array');
    }
    for (const alg of options.algorithms) {
      if (!isJwtAlgorithm(alg)) {
        throw new JwtError(
          'INVALID_ARGUMENT',
          `"options.algorithms" contains unsupported ${JSON.stringify(alg)}`,
        );
      }
    }
  }
  if (
    options.maxLifetimeSeconds !== undefined &&
    (typeof options.maxLifetimeSeconds !== 'number' ||
      !Number.isFinite(options.maxLifetimeSeconds) ||
      options.maxLifetimeSeconds <= 0)
  ) {
    throw new JwtError('INVALID_ARGUMENT', '"options.maxLifetimeSeconds" expected a positive number');
  }
  if (options.isRevoked !== undefined && typeof options.isRevoked !== 'function') {
    throw new JwtError('INVALID_ARGUMENT', '"options.isRevoked" expected a function');
  }
  return { now: Math.floor(assertNow(options.now).getTime() / 1000), tolerance };
}

/**
 * Verifies a token issued by `signAccessToken` / `signRefreshToken` and returns its header and claims.
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for bad options; otherwise one of `TOKEN_MALFORMED`,
 *   `TOKEN_ALG_NOT_ALLOWED`, `TOKEN_KID_UNKNOWN`, `TOKEN_SIGNATURE_INVALID`, `TOKEN_TYPE_INVALID`,
 *   `TOKEN_CLAIM_INVALID`, `TOKEN_ISSUER_INVALID`, `TOKEN_AUDIENCE_INVALID`, `TOKEN_EXPIRED`,
 *   `TOKEN_NOT_YET_VALID`, `TOKEN_LIFETIME_EXCEEDED`, `TOKEN_REVOKED` (see the module header); with a
 *   {@link RemoteKeySet} also `JWKS_NO_MATCHING_KEY`, `JWKS_FETCH_FAILED`, `JWKS_TIMEOUT`, `JWKS_INVALID`.
 *   Errors thrown by `isRevoked` propagate (fail closed).
 * @example
 * ```ts
 * const { claims } = await verifyToken(keys, bearer, {
 *   typ: 'access', issuer: 'https://auth.city.example', audience: 'city-api',
 *   isRevoked: (jti) => revocations.has(jti),
 * });
 * ```
 */
export async function verifyToken(
  keys: KeySet | RemoteKeySet,
  token: string,
  options: VerifyTokenOptions,
): Promise<VerifiedToken> {
  const { now, tolerance } = checkOptions(options);
  if (typeof token !== 'string') throw malformed('token is not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`token longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('token does not have three parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = parseJsonObject(headerPart, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string') throw malformed('token header has no "alg"');
  if (!isJwtAlgorithm(alg))
    throw new JwtError('TOKEN_ALG_NOT_ALLOWED', `algorithm ${JSON.stringify(alg)} is not allowed`);
  // RFC 7515 §4.1.11: a recipient that does not understand a crit extension must reject the JWS;
  // we understand none. b64 (RFC 7797) changes what is signed and is never valid without crit.
  if (Object.hasOwn(header, 'crit')) throw malformed('token header "crit" is not supported');
  if (Object.hasOwn(header, 'b64')) throw malformed('token header "b64" is not supported');
  const kid = header.kid;
  if (kid === undefined) throw new JwtError('TOKEN_KID_UNKNOWN', 'token header has no "kid"');
  if (typeof kid !== 'string') throw malformed('token header "kid" is not a string');
  let key: SigningKey | undefined;
  if (keys instanceof RemoteKeySet) key = await keys.getKey(kid);
  else key = keys.get(kid);
  if (key === undefined) throw new JwtError('TOKEN_KID_UNKNOWN', 'token "kid" is not a known key');
  const allowed = options.algorithms ?? [key.alg];
  if (alg !== key.alg || !allowed.includes(alg)) {
    throw new JwtError('TOKEN_ALG_NOT_ALLOWED', `algorithm ${alg} is not allowed for this key`);
  }

  const signature = decodeBase64url(signaturePart);
  if (signature === undefined || signature.length === 0)
    throw new JwtError('TOKEN_SIGNATURE_INVALID', SIGNATURE_FAILED);
  if (!(await verifyJws(key, `${headerPart}.${payloadPart}`, signature))) {
    throw new JwtError('TOKEN_SIGNATURE_INVALID', SIGNATURE_FAILED);
  }

  const claims = parseJsonObject(payloadPart, 'payload');
  const expectedTyp = HEADER_TYP[options.typ];
  if (normaliseTyp(header.typ) !== expectedTyp || claims.typ !== options.typ) {
    throw new JwtError('TOKEN_TYPE_INVALID', `expected a ${options.typ} token`);
  }

  for (const name of ['sub', 'jti', 'iss', 'deviceId'] as const) {
    if (typeof claims[name] !== 'string' || claims[name] === '') throw claimError(name);
  }
  for (const name of ['iat', 'exp'] as const) {
    if (!isNumericDate(claims[name])) throw claimError(name);
  }
  if (claims.nbf !== undefined && !isNumericDate(claims.nbf)) throw claimError('nbf');
  const aud = claims.aud;
  if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw claimError('aud');
  }
  if (
    claims.roles !== undefined &&
    !(Array.isArray(claims.roles) && claims.roles.every((r) => typeof r === 'string'))
  ) {
    throw claimError('roles');
  }
  if (claims.sid !== undefined && typeof claims.sid !== 'string') throw claimError('sid');
  if (options.typ === 'refresh') {
    if (typeof claims.familyId !== 'string' || claims.familyId === '') throw claimError('familyId');
    const generation = claims.generation;
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) {
      throw claimError('generation');
    }
  }

  if (claims.iss !== options.issuer)
    throw new JwtError('TOKEN_ISSUER_INVALID', 'token issuer is not accepted');
  if (!(typeof aud === 'string' ? aud === options.audience : aud.includes(options.audience))) {
    throw new JwtError('TOKEN_AUDIENCE_INVALID', 'token audience is not accepted');
  }

  // RFC 7519 §4.1.4: the current time must be before exp; §4.1.5: not before nbf.
  if (now - tolerance >= (claims.exp as number)) throw new JwtError('TOKEN_EXPIRED', 'token has expired');
  if (claims.nbf !== undefined && now + tolerance < (claims.nbf as number)) {
    throw new JwtError('TOKEN_NOT_YET_VALID', 'token is not valid yet');
  }
  if (now + tolerance < (claims.iat as number))
    throw new JwtError('TOKEN_NOT_YET_VALID', 'token was issued in the future');
  if (
    options.maxLifetimeSeconds !== undefined &&
    ((claims.exp as number) - (claims.iat as number) > options.maxLifetimeSeconds + tolerance ||
      (claims.exp as number) - now > options.maxLifetimeSeconds + tolerance)
  ) {
    throw new JwtError('TOKEN_LIFETIME_EXCEEDED', 'token lifetime exceeds the accepted maximum');
  }

  if (options.isRevoked !== undefined && (await options.isRevoked(claims.jti as string))) {
    throw new JwtError('TOKEN_REVOKED', 'token has been revoked');
  }

  return {
    header: { alg, kid, typ: expectedTyp },
    claims: claims as VerifiedTokenClaims,
  };
}
