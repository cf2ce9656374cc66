/**
 * Configuration of the use cases: token lifetimes, device proof modes, lockout policy and
 * certificate defaults. Defaults: 15-minute access tokens, 2-minute login challenges,
 * 10-minute pairing tokens, a 10-second refresh retry grace window; throttling follows the
 * OWASP authentication cheat sheet for throttling.
 */

/** Key algorithms a device certificate may use (same names as @city/client-cert's `KeyAlgorithm`). */
export type CertificateAlgorithm =
  | 'ml-dsa-44'
  | 'ml-dsa-65'
  | 'ml-dsa-87'
  | 'ecdsa-p256'
  | 'ed25519'
  | 'rsa-3072';

/** Every {@link CertificateAlgorithm}, in preference order. */
export const CERTIFICATE_ALGORITHMS: readonly CertificateAlgorithm[] = [
  'ml-dsa-65',
  'ml-dsa-44',
  'ml-dsa-87',
  'ecdsa-p256',
  'ed25519',
  'rsa-3072',
];

/** How a device proves possession at login. */
export type ProofMode = 'signature' | 'mtls' | 'fingerprint';

/** Which proof modes the server accepts. */
export interface ProofModes {
  /** Client signs the server nonce from `createLoginChallenge` with its device key (default on). */
  readonly signature: boolean;
  /** The TLS layer passes the verified peer certificate in `RequestContext` (default on). */
  readonly mtls: boolean;
  /** The legacy compatibility mode: the client sends its certificate fingerprint. Weak (a fingerprint is public); default off. */
  readonly fingerprint: boolean;
}

/**
 * Failure throttling, in a shared CounterStore. Password guesses are counted per account whatever
 * identifier named it (per identifier as typed when it names no account, so lockouts do not reveal
 * whether an account exists), before the password is checked; a login proving possession of an
 * active device's key is counted per device instead, against its own looser limit; failures are
 * also counted per client IP.
 */
export interface LockoutPolicy {
  /** Window over which failures are counted (seconds). */
  readonly windowSeconds: number;
  /** Password guesses per account allowed in the window before backoff starts. */
  readonly accountFreeAttempts: number;
  /**
   * Password guesses allowed in the window, before the same backoff, to a login that carries a
   * valid signature or mTLS proof of an active device of the account (the password-guessing lock of
   * the account does not apply to it).
   */
  readonly deviceFreeAttempts: number;
  /** First lock duration after `accountFreeAttempts` failures; doubled on each further failure (seconds). */
  readonly baseLockSeconds: number;
  /** Upper bound of the exponential lock (seconds). */
  readonly maxLockSeconds: number;
  /** Failures per IP address allowed in the window before that address is locked. */
  readonly ipMaxFailures: number;
  /** Lock duration for an IP address over its limit (seconds). */
  readonly ipLockSeconds: number;
  /** Failures per account in the window at which a security alert notification is raised. */
  readonly alertThreshold: number;
  /**
   * `MYNUMBER_TAKEN` answers per client address, and per My Number, within `mynumberLockSeconds`
   * before registrations carrying a My Number from that address (or that number) are refused with
   * TOO_MANY_ATTEMPTS for `mynumberLockSeconds`.
   */
  readonly mynumberConflictLimit: number;
  /** Window and lock duration of the My Number conflict limit (seconds). */
  readonly mynumberLockSeconds: number;
  /** Distinct identifiers failing from one address within the window that raise a `credential_stuffing` alert (0 disables). */
  readonly stuffingAlertAccounts: number;
  /** Days an address or device stays known after a login; a login from one not known raises an alert (0 disables). */
  readonly knownLoginContextDays: number;
}

/** Everything the use cases can be configured with. */
export interface AuthConfig {
  /** JWT `iss`. */
  readonly issuer: string;
  /** JWT `aud`. */
  readonly audience: string;
  /** Access token lifetime (seconds), default 900. */
  readonly accessTokenTtlSeconds: number;
  /** Refresh token / session lifetime (seconds), default 30 days. */
  readonly refreshTokenTtlSeconds: number;
  /** Pairing token lifetime (seconds), default 600. */
  readonly pairingTokenTtlSeconds: number;
  /** Login challenge lifetime (seconds), default 120. */
  readonly challengeTtlSeconds: number;
  /** Window in which the same device may retry a refresh and get the same pair (seconds); 0 disables. Default 10. */
  readonly refreshGraceSeconds: number;
  /** Accepted JWT clock skew (seconds), default 0. */
  readonly clockToleranceSeconds: number;
  /** Device proof modes. */
  readonly proofModes: ProofModes;
  /** Proof mode used when a login request names none. */
  readonly defaultProofMode: ProofMode;
  /** Failure throttling. */
  readonly lockout: LockoutPolicy;
  /** Key algorithm for server-generated device keys and the default for clients. */
  readonly defaultCertificateAlgorithm: CertificateAlgorithm;
  /** Algorithms accepted for device certificates (server-generated or from a CSR). */
  readonly allowedCertificateAlgorithms: readonly CertificateAlgorithm[];
  /** Device certificate validity (days), default 365. */
  readonly certificateValidityDays: number;
  /** Hours until the CRL's `nextUpdate`, default 24. */
  readonly crlNextUpdateHours: number;
  /** Argon2id cost for new hashes (KiB / passes / lanes); defaults to @city/password's (19456, 2, 1). */
  readonly argon2?:
    | { readonly memory?: number; readonly passes?: number; readonly parallelism?: number }
    | undefined;
  /** Maximum page size for admin listings, default 100. */
  readonly maxPageSize: number;
  /**
   * Verified access tokens kept in memory (default 10,000; 0 disables). Used only with stores that
   * report every change (`Stores.authStateVersion`: the embedded SQLite store, and DynamoDB and
   * MongoDB through their shared change epoch, which bounds how late another instance's change is
   * seen to one second): a cached
   * token is trusted again only while no user, device, session or revocation has changed since.
   */
  readonly accessCacheSize: number;
}

/** The defaults; `issuer` and `audience` should be overridden in production. */
export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  issuer: 'city-chain-auth',
  audience: 'city-chain',
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  pairingTokenTtlSeconds: 600,
  challengeTtlSeconds: 120,
  refreshGraceSeconds: 10,
  clockToleranceSeconds: 0,
  proofModes: { signature: true, mtls: true, fingerprint: false },
  defaultProofMode: 'signature',
  lockout: {
    windowSeconds: 15 * 60,
    accountFreeAttempts: 5,
    deviceFreeAttempts: 20,
    baseLockSeconds: 30,
    maxLockSeconds: 15 * 60,
    ipMaxFailures: 100,
    ipLockSeconds: 15 * 60,
    alertThreshold: 10,
    mynumberConflictLimit: 3,
    mynumberLockSeconds: 24 * 60 * 60,
    stuffingAlertAccounts: 10,
    knownLoginContextDays: 90,
  },
  defaultCertificateAlgorithm: 'ml-dsa-65',
  allowedCertificateAlgorithms: CERTIFICATE_ALGORITHMS,
  certificateValidityDays: 365,
  crlNextUpdateHours: 24,
  argon2: undefined,
  maxPageSize: 100,
  accessCacheSize: 10_000,
};

/** A partial configuration; nested `proofModes` and `lockout` may be partial too. */
export type AuthConfigOverrides = Partial<Omit<AuthConfig, 'proofModes' | 'lockout'>> & {
  readonly proofModes?: Partial<ProofModes> | undefined;
  readonly lockout?: Partial<LockoutPolicy> | undefined;
};

/**
 * Merges overrides onto {@link DEFAULT_AUTH_CONFIG} and checks the result.
 *
 * @throws {RangeError} when a duration or count is negative or not an integer, or no proof mode is enabled
 * @example
 * ```ts
 * const config = resolveAuthConfig({ issuer: 'https://auth.city.example', refreshGraceSeconds: 0 });
 * ```
 */
export function resolveAuthConfig(overrides: AuthConfigOverrides = {}): AuthConfig {
  const config: AuthConfig = {
    ...DEFAULT_AUTH_CONFIG,
    ...stripUndefined(overrides),
    proofModes: { ...DEFAULT_AUTH_CONFIG.proofModes, ...stripUndefined(overrides.proofModes ?? {}) },
    lockout: { ...DEFAULT_AUTH_CONFIG.lockout, ...stripUndefined(overrides.lockout ?? {}) },
  };
  const integers: [string, number][] = [
    ['accessTokenTtlSeconds', config.accessTokenTtlSeconds],
    ['refreshTokenTtlSeconds', config.refreshTokenTtlSeconds],
    ['pairingTokenTtlSeconds', config.pairingTokenTtlSeconds],
    ['challengeTtlSeconds', config.challengeTtlSeconds],
    ['refreshGraceSeconds', config.refreshGraceSeconds],
    ['clockToleranceSeconds', config.clockToleranceSeconds],
    ['certificateValidityDays', config.certificateValidityDays],
    ['crlNextUpdateHours', config.crlNextUpdateHours],
    ['maxPageSize', config.maxPageSize],
    ['accessCacheSize', config.accessCacheSize],
    ...Object.entries(config.lockout).map(([k, v]): [string, number] => [`lockout.${k}`, v]),
  ];
  for (const [name, value] of integers) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`"${name}" expected a non-negative integer, got ${String(value)}`);
    }
  }
  for (const name of [
    'accessTokenTtlSeconds',
    'refreshTokenTtlSeconds',
    'pairingTokenTtlSeconds',
    'challengeTtlSeconds',
    'maxPageSize',
  ] as const) {
    if (config[name] === 0) throw new RangeError(`"${name}" must be greater than 0`);
  }
  if (!config.proofModes.signature && !config.proofModes.mtls && !config.proofModes.fingerprint) {
    throw new RangeError('"proofModes" must enable at least one mode');
  }
  if (!config.proofModes[config.defaultProofMode]) {
    throw new RangeError(`"defaultProofMode" ${config.defaultProofMode} is not enabled in "proofModes"`);
  }
  if (!config.allowedCertificateAlgorithms.includes(config.defaultCertificateAlgorithm)) {
    throw new RangeError('"defaultCertificateAlgorithm" must be one of "allowedCertificateAlgorithms"');
  }
  if (typeof config.issuer !== 'string' || config.issuer === '')
    throw new RangeError('"issuer" must be a non-empty string');
  if (typeof config.audience !== 'string' || config.audience === '')
    throw new RangeError('"audience" must be a non-empty string');
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
