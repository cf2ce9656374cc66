/**
 * The one list of configuration variables of a City Chain Auth deployment: the storage and core
 * ones read by `loadCityConfig` (API and CLI alike), the HTTP server's own read by
 * `loadServerConfig`, and the AWS storage ones of `@city/db-integration`. A configuration file
 * (`CITY_CONFIG_FILE`) may hold exactly these keys; the API README's table lists them.
 */
import { STORAGE_ENV_VARS } from '@city/db-integration';

/** Which loader reads a variable: both apps, the HTTP server only, or the aws mode's storage. */
export type CityVariableScope = 'core' | 'server' | 'aws';

/** One configuration variable. */
export interface CityVariable {
  readonly name: string;
  readonly scope: CityVariableScope;
  /** The default, as documented. */
  readonly default: string;
  readonly description: string;
}

const core = (name: string, fallback: string, description: string): CityVariable => ({
  name,
  scope: 'core',
  default: fallback,
  description,
});
const server = (name: string, fallback: string, description: string): CityVariable => ({
  name,
  scope: 'server',
  default: fallback,
  description,
});

/** Every configuration variable, in the order the README's table lists them. */
export const CITY_VARIABLES: readonly CityVariable[] = [
  core(
    'CITY_CONFIG_FILE',
    '—',
    'a configuration file (KEY=value lines or a JSON object) holding any of these variables',
  ),
  core('CITY_MODE', 'embedded', 'storage back end: embedded, aws or mongodb'),
  core('CITY_DATA_DIR', './.city', 'embedded data: city.db, outbox/, key vault'),
  core('CITY_EMBEDDED_STORE', '(by directory)', 'embedded record store: sqlite or dynalite'),
  core('CITY_ACCESS_CACHE_SIZE', '10000', 'verified access tokens kept in memory; 0 turns it off'),
  core(
    'CITY_WORKERS',
    '1',
    'API processes on the one port: a count or auto (embedded SQLite store only above 1)',
  ),
  core(
    'CITY_SQLITE_SYNCHRONOUS',
    'auth',
    'embedded SQLite store: auth (auth-state writes answered after a group-committed fsync), full or normal',
  ),
  core(
    'CITY_AUDIT_RETENTION_DAYS',
    '400',
    'embedded SQLite store: audit events older than this many days are deleted (0 = the default)',
  ),
  core(
    'CITY_OUTBOX_MAX_BYTES',
    '67108864',
    'size of each notification outbox file before it moves to its one previous generation (64 MiB)',
  ),
  core('CITY_SECRETS_DIR', 'CITY_DATA_DIR', 'aws/mongodb: directory of the key vault'),
  core('CITY_ROOT_KEY_FILE', '<secrets dir>/keyvault-kem.key', 'the root key (KEM private key) file'),
  core('CITY_KEM_PRIVATE_KEY', '—', "the root key's text instead of a file"),
  server('HOST', '127.0.0.1', 'listen address'),
  server('PORT', '3000', 'listen port'),
  core('CITY_ISSUER', 'city-chain-auth', 'JWT iss'),
  core('CITY_AUDIENCE', 'city-chain', 'JWT aud'),
  server('TRUSTED_PROXY', '—', 'reverse proxies allowed to set X-Forwarded-For and X-Client-Cert'),
  server('CITY_TLS_CERT', '—', 'server certificate chain (PEM file)'),
  server('CITY_TLS_KEY', '—', 'server private key (PEM file)'),
  server('CITY_MTLS', 'on', 'with TLS: request a client certificate'),
  server('CITY_TLS_GROUPS', 'X25519MLKEM768:X25519:P-256', 'TLS key-exchange groups'),
  core('CITY_FINGERPRINT_LOGIN', 'off', 'the weak certificate-fingerprint login'),
  server('CITY_BODY_LIMIT', '65536', 'largest request body in bytes'),
  server('CITY_RATE_LIMIT', '600', 'requests per minute per client address'),
  server('CITY_CREDENTIAL_RATE_LIMIT', '60', 'requests per minute per client address on credential routes'),
  server('LOG_LEVEL', 'info', 'pino log level'),
  server('CITY_METRICS', 'off', 'Prometheus metrics: off, on, or a port of their own'),
  server('CITY_METRICS_HOST', 'HOST', 'listen address of the metrics port'),
  core(
    'CITY_PUBLIC_BASE_URL',
    '(the address the browser used)',
    'where people reach the web pages: the pairing QR code links to <it>/pair?token=…',
  ),
  server('CITY_WEB_DIR', 'apps/api/web', 'directory of the web pages'),
  core('MONGODB_URI', '—', 'mongodb mode: connection string'),
  core('CITY_MONGODB_DB', 'city', 'mongodb mode: database name'),
  core('CITY_MONGODB_PII', 'auto', 'mongodb mode: personal data in CSFLE format, the field cipher, or auto'),
  ...STORAGE_ENV_VARS.map(
    (variable): CityVariable => ({
      name: variable.name,
      scope: 'aws',
      default: variable.default,
      description: variable.description,
    }),
  ),
];

/** The names of {@link CITY_VARIABLES}, for membership checks. */
export const CITY_VARIABLE_NAMES: ReadonlySet<string> = new Set(
  CITY_VARIABLES.map((variable) => variable.name),
);
