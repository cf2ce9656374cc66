/**
 * Options for `@fastify/jwt` (fast-jwt underneath) built from a {@link KeySet}, so the HTTP layer
 * verifies the same tokens `verifyToken` does. fast-jwt implements RFC 7515/7519 for EdDSA, ES256,
 * RS256 and HS256 but not ML-DSA (RFC 9964): sets signing with ML-DSA-65 must use `verifyToken`.
 *
 * The public key is chosen per token by `kid`, and the callback refuses a token whose `alg` differs
 * from that key's algorithm: fast-jwt's allow-list alone would let an HS256 token be checked with an
 * RSA/Ed25519 public PEM as the HMAC secret when a set mixes HS256 with asymmetric keys.
 */
import type { JwtAlgorithm } from './jwt-algorithm.js';
import { JwtError } from './jwt-error.js';
import type { KeySet } from './key-set.js';
import { assertNonEmptyString } from './lib/issue-token.js';
import { keyObjectsOf } from './lib/key-material.js';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS } from './sign-access-token.js';
import type { SigningKey } from './signing-key.js';

/** Algorithms fast-jwt can verify. */
const FAST_JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['EdDSA', 'ES256', 'RS256', 'HS256'];

/** The decoded token @fastify/jwt passes to a secret callback (with `decode: { complete: true }`). */
export interface FastifyJwtDecodedToken {
  header: { alg?: unknown; kid?: unknown; [name: string]: unknown };
  payload?: unknown;
}

/** Options object for `fastify.register(fastifyJwt, options)`. */
export interface FastifyJwtOptions {
  secret: {
    /** PKCS#8 PEM of the active key (HS256: the secret bytes). */
    private: string | Buffer;
    /** Resolves the verification key by the token's `kid`. */
    public: (request: unknown, token: FastifyJwtDecodedToken) => Promise<string | Buffer>;
  };
  decode: { complete: true };
  sign: { algorithm: JwtAlgorithm; kid: string; iss: string; aud: string; typ: 'at+jwt'; expiresIn: number };
  verify: {
    algorithms: JwtAlgorithm[];
    allowedIss: string;
    allowedAud: string;
    /** Only access tokens (`typ: at+jwt`) are accepted on API routes. */
    checkTyp: 'at+jwt';
    requiredClaims: string[];
  };
}

/** Fastify answers an error with its `statusCode`; a refused token is a 401, not a server error. */
function isAccessTyp(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt';
}

function unauthorized(
  code: 'TOKEN_KID_UNKNOWN' | 'TOKEN_ALG_NOT_ALLOWED' | 'TOKEN_TYPE_INVALID',
  message: string,
): JwtError {
  return Object.assign(new JwtError(code, message), { statusCode: 401 });
}

function secretOf(key: SigningKey): string | Buffer {
  const own = keyObjectsOf(key);
  if (own.secret !== undefined) return own.secret.export();
  return own.privateKey!.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function verificationKeyOf(key: SigningKey): string | Buffer {
  const own = keyObjectsOf(key);
  if (own.secret !== undefined) return own.secret.export();
  return key.publicKeyPem()!;
}

/**
 * Builds `@fastify/jwt` options that sign with the active key and verify by `kid` against every
 * key of the set that fast-jwt supports, checking `iss`, `aud` and the `at+jwt` type.
 * The verification callback reads the set on each request, so rotation and retirement apply at
 * once (a refused kid or alg becomes a 401 `JwtError`); the signing key is fixed when the options are built (rebuild after a rotation, or sign
 * with `signAccessToken`).
 *
 * @throws {JwtError} `KEY_INVALID` when the active key is ML-DSA-65 (fast-jwt cannot handle it: verify
 *   with `verifyToken`) or the set cannot sign; `INVALID_ARGUMENT` for empty issuer/audience.
 * @example
 * ```ts
 * await app.register(fastifyJwt, fastifyJwtOptions(keys, { issuer, audience }));
 * app.get('/me', async (request) => { await request.jwtVerify(); return request.user; });
 * ```
 */
export function fastifyJwtOptions(
  keys: KeySet,
  options: { issuer: string; audience: string },
): FastifyJwtOptions {
  if (typeof options !== 'object' || options === null) {
    throw new JwtError('INVALID_ARGUMENT', '"options" expected { issuer, audience }');
  }
  assertNonEmptyString(options.issuer, 'options.issuer');
  assertNonEmptyString(options.audience, 'options.audience');
  const active = keys.active;
  if (!FAST_JWT_ALGORITHMS.includes(active.alg)) {
    throw new JwtError(
      'KEY_INVALID',
      `@fastify/jwt (fast-jwt) does not support ${active.alg}; verify ${active.alg} tokens with verifyToken from @city/jwt`,
    );
  }
  const algorithms = [...new Set(keys.list().map((k) => k.alg))].filter((alg) =>
    FAST_JWT_ALGORITHMS.includes(alg),
  );
  return {
    secret: {
      private: secretOf(active),
      public: async (_request, token) => {
        const kid = token?.header?.kid;
        const key = typeof kid === 'string' ? keys.get(kid) : undefined;
        if (key === undefined) throw unauthorized('TOKEN_KID_UNKNOWN', 'token "kid" is not a known key');
        if (token.header.alg !== key.alg || !FAST_JWT_ALGORITHMS.includes(key.alg)) {
          throw unauthorized('TOKEN_ALG_NOT_ALLOWED', 'algorithm is not allowed for this key');
        }
        // fast-jwt's own typ check surfaces as a 500 through @fastify/jwt; refuse refresh tokens here
        // as a 401. Refusing before the signature check is safe: only acceptance needs a valid signature.
        const payload = token.payload as { typ?: unknown } | undefined;
        if (!isAccessTyp(token.header.typ) || payload?.typ !== 'access') {
          throw unauthorized('TOKEN_TYPE_INVALID', 'expected an access token');
        }
        return verificationKeyOf(key);
      },
    },
    decode: { complete: true },
    sign: {
      algorithm: active.alg,
      kid: active.kid,
      iss: options.issuer,
      aud: options.audience,
      typ: 'at+jwt',
      // fast-jwt takes milliseconds.
      expiresIn: DEFAULT_ACCESS_TOKEN_TTL_SECONDS * 1000,
    },
    verify: {
      algorithms,
      allowedIss: options.issuer,
      allowedAud: options.audience,
      checkTyp: 'at+jwt',
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'deviceId'],
    },
  };
}
