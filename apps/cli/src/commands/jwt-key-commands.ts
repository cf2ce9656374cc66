/**
 * `city admin jwt-keys|rotate-jwt-key|retire-jwt-key`: the deployment's JWT signing keys (RFC 7515
 * `kid`), with `@city/jwt`'s KeySet. The set is sealed in the key vault and read once at start, so a
 * change is written as the plain key-set file `jwt-keys.json` in the secrets directory (the data
 * directory of the embedded deployment, else `CITY_SECRETS_DIR`); the next start of the runtime
 * checks that it shares a key with the sealed set, seals it and removes the file. Running servers
 * sign with the key set they started with until they restart.
 *
 * Audited when it takes effect, not here: the start that seals the file records an `admin_action`
 * `jwt_keys_replaced` event (by `operator:jwt-keys.json`); the commands have no use case to audit
 * through, and the running service never sees the file.
 */
import { randomBytes } from 'node:crypto';
import { access, link, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CityConfig } from '@city/auth-runtime';
import { generateSigningKey, type JwtAlgorithm, KeySet } from '@city/jwt';
import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import {
  addOutputOptions,
  type CommonOptions,
  configOption,
  directOptionsOf,
  printResult,
} from '../command-context.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';
import { textTable } from '../lib/_text-table.js';

/** The plain key-set file the runtime seals at start (`@city/auth-runtime`'s older layout). */
export const PENDING_JWT_KEYS_FILE = 'jwt-keys.json';

/** Algorithms offered for a new signing key (asymmetric: resource servers verify with the JWKS). */
const NEW_KEY_ALGORITHMS = ['EdDSA', 'ES256', 'ML-DSA-65'] as const;

interface KeyOptions extends CommonOptions {
  readonly algorithm?: (typeof NEW_KEY_ALGORITHMS)[number];
}

/** One key as the commands show it. */
interface KeyView {
  readonly kid: string;
  readonly algorithm: JwtAlgorithm;
  readonly status: 'active' | 'verify-only';
}

function viewsOf(keys: KeySet): KeyView[] {
  const activeKid = keys.active.kid;
  return keys.list().map((key) => ({
    kid: key.kid,
    algorithm: key.alg,
    status: key.kid === activeKid ? 'active' : 'verify-only',
  }));
}

/** Where the runtime looks for the key-set file: the data directory of the embedded deployment, else CITY_SECRETS_DIR. */
function secretsDirOf(config: CityConfig): string {
  return config.mode === 'embedded' ? config.dataDir : config.secretsDir;
}

function pendingError(path: string): CliError {
  return new CliError(
    'JWT_KEYS_PENDING',
    `${path} already holds a changed key set for the next start; restart the service to apply it ` +
      '(or remove the file to drop the change), then run the command again',
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * A copy of the deployment's key set, read from its runtime; `before` runs first on the
 * configuration (opening the runtime seals a waiting key-set file, so that is checked before).
 */
async function readKeySet(
  io: CliIo,
  options: CommonOptions,
  before: (secretsDir: string) => Promise<void> = async () => {},
): Promise<{ keys: KeySet; secretsDir: string }> {
  const { loadDirectConfig, openDirectRuntime } = await import('../open-direct-auth.js');
  const config = await loadDirectConfig(io, directOptionsOf(options));
  const secretsDir = secretsDirOf(config);
  await before(secretsDir);
  const runtime = await withSpinner(io, 'opening the data store', () => openDirectRuntime(io, config));
  try {
    return { keys: KeySet.fromJSON(runtime.jwt.keys.toJSON()), secretsDir };
  } finally {
    await runtime.close();
  }
}

/** Refuses when a key-set file is already waiting for the next start. */
async function refusePending(secretsDir: string): Promise<void> {
  const path = join(secretsDir, PENDING_JWT_KEYS_FILE);
  if (await exists(path)) throw pendingError(path);
}

/**
 * Writes the key set for the next start: a 0600 temporary file in the same directory, synced, then
 * linked into place. `link` fails where `rename` would replace: a set written meanwhile by another
 * operator is never lost, and no reader sees half a file.
 */
async function writePendingKeySet(secretsDir: string, keys: KeySet): Promise<string> {
  const path = join(secretsDir, PENDING_JWT_KEYS_FILE);
  const temporary = join(secretsDir, `.${PENDING_JWT_KEYS_FILE}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(keys.toJSON())}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, path);
    return path;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw pendingError(path);
    if (typeof code === 'string')
      throw new CliError('FILE_NOT_WRITABLE', `cannot write ${path} (${code}); nothing was changed`, {
        cause: error,
      });
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

function addDeploymentOptions(command: Command): Command {
  command
    .addOption(
      new Option(
        '--data-dir <dir>',
        "the server's data directory (env CITY_DATA_DIR, default ./.city; CITY_MODE=aws|mongodb as the API reads it)",
      ),
    )
    .addOption(configOption());
  return addOutputOptions(command);
}

function restartAdvice(path: string): string[] {
  return [
    `written to ${path}; it takes effect at the next start of the service, which seals it into the key vault and removes the file:`,
    '  restart the service (systemctl restart city-api). With several instances, restart one first',
    '  (it seals the set into the vault they share), then the others.',
  ];
}

/**
 * Registers `jwt-keys`, `rotate-jwt-key` and `retire-jwt-key` on the `admin` command group.
 *
 * @throws never
 * @example
 * ```ts
 * jwtKeyCommands(admin, io);
 * ```
 */
export function jwtKeyCommands(admin: Command, io: CliIo): void {
  const list = addDeploymentOptions(
    admin.command('jwt-keys').description('list the JWT signing keys: kid, algorithm, active or verify-only'),
  );
  list.addHelpText(
    'after',
    `
Opening the data store applies a key set waiting in jwt-keys.json, as a start of the service does.

Examples:
  $ city admin jwt-keys --data-dir /var/lib/city
  $ city admin jwt-keys --json | jq -r '.[] | select(.status == "verify-only") | .kid'`,
  );
  list.action(async (options: KeyOptions) => {
    const { keys } = await readKeySet(io, options);
    const views = viewsOf(keys);
    printResult(io, options, views, () =>
      textTable(
        ['KID', 'ALGORITHM', 'STATUS'],
        views.map((v) => [v.kid, v.algorithm, v.status]),
      ),
    );
  });

  const rotate = addDeploymentOptions(
    admin
      .command('rotate-jwt-key')
      .description('add a new signing key for the next start; the current one keeps verifying its tokens')
      .addOption(
        new Option('--algorithm <alg>', "the new key's algorithm (default: the active key's)").choices(
          NEW_KEY_ALGORITHMS,
        ),
      ),
  );
  rotate.addHelpText(
    'after',
    `
Writes the rotated key set to jwt-keys.json in the secrets directory (0600), never over one already
there (JWT_KEYS_PENDING). Restart the service to sign with the new key. Retire the old key with
city admin retire-jwt-key once the longest token it signed has expired (the refresh-token lifetime).

Examples:
  $ city admin rotate-jwt-key --data-dir /var/lib/city && systemctl restart city-api
  $ city admin rotate-jwt-key --algorithm ML-DSA-65 --json | jq -r .kid`,
  );
  rotate.action(async (options: KeyOptions) => {
    const { keys, secretsDir } = await readKeySet(io, options, refusePending);
    const previous = keys.active;
    const algorithm = options.algorithm ?? previous.alg;
    const key = await withSpinner(io, `generating an ${algorithm} key`, () => generateSigningKey(algorithm));
    keys.rotate(key);
    const file = await writePendingKeySet(secretsDir, keys);
    printResult(
      io,
      options,
      { kid: key.kid, algorithm, previousKid: previous.kid, file, keys: viewsOf(keys) },
      () =>
        [
          `new signing key ${key.kid} (${algorithm}); ${previous.kid} stays for verification only`,
          ...restartAdvice(file),
          `Once the longest token ${previous.kid} signed has expired: city admin retire-jwt-key ${previous.kid}`,
        ].join('\n'),
    );
  });

  const retire = addDeploymentOptions(
    admin
      .command('retire-jwt-key')
      .description('remove a verify-only signing key at the next start: every session it signed ends')
      .argument('<kid>', 'the key id (city admin jwt-keys)'),
  );
  retire.addHelpText(
    'after',
    `
Tokens signed with the key are refused (TOKEN_INVALID) once the service has restarted: every
session whose tokens it signed ends and its users log in again. The active key cannot be retired
(JWT_KEY_ACTIVE; rotate first); an unknown kid is JWT_KEY_UNKNOWN.

Examples:
  $ city admin retire-jwt-key 3q2-7YlRz... --data-dir /var/lib/city && systemctl restart city-api`,
  );
  retire.action(async (kid: string, options: KeyOptions) => {
    const { keys, secretsDir } = await readKeySet(io, options, refusePending);
    if (keys.get(kid) === undefined) {
      throw new CliError(
        'JWT_KEY_UNKNOWN',
        `no signing key ${JSON.stringify(kid)} in the key set (city admin jwt-keys lists them)`,
      );
    }
    if (keys.active.kid === kid) {
      throw new CliError(
        'JWT_KEY_ACTIVE',
        `${kid} is the active signing key; rotate to a new key first (city admin rotate-jwt-key)`,
      );
    }
    keys.retire(kid);
    const file = await writePendingKeySet(secretsDir, keys);
    const warning = `every session whose tokens ${kid} signed ends when the service restarts; those users log in again`;
    io.stderr.write(`warning: ${warning}\n`);
    printResult(io, options, { retiredKid: kid, file, warning, keys: viewsOf(keys) }, () =>
      [`${kid} retired`, ...restartAdvice(file)].join('\n'),
    );
  });
}
