/**
 * What every command shares: the common options (mode, profile, output), opening the service in the
 * selected mode, printing data as text or JSON, and running a call with the stored session (refreshed
 * once when the access token has expired).
 */
import { resolve } from 'node:path';
import { signChallenge } from '@city/client-cert';
import { isCityError } from '@city/errors';
import { type Command, Option } from 'commander';
import { createApiAuthClient } from './api-auth-client.js';
import type { AuthClient } from './auth-client.js';
import { type CliIo, withSpinner } from './lib/_terminal.js';
import { Profile, type ProfileTokens, resolveProfileDir } from './profile.js';

/** Options every command may carry (each command declares the ones it uses). */
export interface CommonOptions {
  readonly api?: string;
  readonly dataDir?: string;
  /** Direct mode: a configuration file of `CITY_*` variables (the environment wins). */
  readonly config?: string;
  readonly profile?: string;
  readonly profileDir?: string;
  readonly json?: boolean;
  readonly debug?: boolean;
}

/** Adds `--api`, `--data-dir` and `--config` (commands that call the service). */
export function addModeOptions(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', 'use the HTTP API at URL instead of direct mode (env CITY_API_URL)'))
    .addOption(
      new Option(
        '--data-dir <dir>',
        'direct mode: data directory (SQLite city.db, keys, key vault; env CITY_DATA_DIR, default ./.city)',
      ),
    )
    .addOption(configOption());
}

/** `--config <file>`: the server's configuration file, read by direct mode as the API reads it. */
export function configOption(): Option {
  return new Option(
    '--config <file>',
    'direct mode: configuration file of CITY_* variables, KEY=value lines or JSON (env CITY_CONFIG_FILE; the environment wins)',
  );
}

/** Adds `--profile` and `--profile-dir`. */
export function addProfileOptions(command: Command): Command {
  return command
    .addOption(new Option('--profile <name>', 'profile name (env CITY_PROFILE, default "default")'))
    .addOption(
      new Option(
        '--profile-dir <dir>',
        'directory holding the profiles (env CITY_PROFILE_DIR, default per OS, see README)',
      ),
    );
}

/** Adds `--json` and `--debug`. */
export function addOutputOptions(command: Command, options: { json?: boolean } = { json: true }): Command {
  if (options.json !== false)
    command.addOption(new Option('--json', 'print machine-readable JSON on stdout'));
  return command.addOption(new Option('--debug', 'print stack traces on errors'));
}

/** The data directory of direct mode. */
export function dataDirFor(io: CliIo, options: CommonOptions): string {
  const env = io.env.CITY_DATA_DIR;
  return resolve(options.dataDir ?? (env !== undefined && env !== '' ? env : '.city'));
}

/** What direct mode takes from the command line: `--data-dir` and `--config`, when given. */
export function directOptionsOf(options: CommonOptions): { dataDir?: string; configFile?: string } {
  return {
    ...(options.dataDir === undefined ? {} : { dataDir: resolve(options.dataDir) }),
    ...(options.config === undefined ? {} : { configFile: options.config }),
  };
}

/** The selected profile. */
export function profileFor(io: CliIo, options: CommonOptions): Profile {
  return new Profile(resolveProfileDir({ profile: options.profile, profileDir: options.profileDir }, io.env));
}

/**
 * Opens the service in the selected mode: the API when `--api`/CITY_API_URL is set, else direct mode
 * (`openAuthFromConfig` when CITY_MODE is `aws` or `mongodb`, else the embedded stores in the data dir).
 */
export async function openClient(io: CliIo, options: CommonOptions): Promise<AuthClient> {
  const api = options.api ?? (io.env.CITY_API_URL !== '' ? io.env.CITY_API_URL : undefined);
  if (api !== undefined) return createApiAuthClient(api, { userAgent: 'city-cli' });
  const { openDirectAuth } = await import('./open-direct-auth.js');
  return withSpinner(io, 'opening the data store', () => openDirectAuth(io, directOptionsOf(options)));
}

/** Runs `task` with a client and always closes it. */
export async function withClient<T>(
  io: CliIo,
  options: CommonOptions,
  task: (client: AuthClient) => Promise<T>,
): Promise<T> {
  const client = await openClient(io, options);
  try {
    return await task(client);
  } finally {
    await client.close();
  }
}

/** Prints `data` as JSON with `--json`, else the human `text`. */
export function printResult(
  io: CliIo,
  options: CommonOptions,
  data: unknown,
  text: string | (() => string),
): void {
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const rendered = typeof text === 'function' ? text() : text;
  io.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
}

/** Saves the token pair of a login or refresh in the profile. */
export async function saveTokenPair(
  profile: Profile,
  pair: {
    accessToken: string;
    accessTokenExpiresAt: string;
    refreshToken: string;
    refreshTokenExpiresAt: string;
    sessionId: string;
    deviceId: string;
  },
): Promise<ProfileTokens> {
  const tokens: ProfileTokens = {
    accessToken: pair.accessToken,
    accessTokenExpiresAt: pair.accessTokenExpiresAt,
    refreshToken: pair.refreshToken,
    refreshTokenExpiresAt: pair.refreshTokenExpiresAt,
    sessionId: pair.sessionId,
    deviceId: pair.deviceId,
  };
  await profile.saveTokens(tokens);
  return tokens;
}

/**
 * Rotates the profile's refresh token, proving possession of the device key: a fresh refresh
 * challenge signed with the profile's device-key.pem goes with the token. Saves the new pair.
 *
 * @throws CliError `NOT_LOGGED_IN`, `PROFILE_NOT_FOUND`; the service's errors
 */
export async function refreshTokens(client: AuthClient, profile: Profile): Promise<ProfileTokens> {
  const tokens = await profile.requireTokens();
  const privateKeyPem = await profile.requirePrivateKey();
  const challenge = await client.createRefreshChallenge();
  return saveTokenPair(
    profile,
    await client.refresh({
      refresh_token: tokens.refreshToken,
      challenge_id: challenge.challengeId,
      signature: signChallenge(privateKeyPem, challenge.challenge),
    }),
  );
}

/**
 * Runs `call` with the profile's access token; an access token that has expired (by its recorded
 * expiry or by the service's answer) is refreshed once (with the device-key proof) and saved.
 *
 * @throws CliError `NOT_LOGGED_IN`; the service's errors
 */
export async function withSession<T>(
  client: AuthClient,
  profile: Profile,
  call: (accessToken: string) => Promise<T>,
): Promise<T> {
  let tokens = await profile.requireTokens();
  const refresh = (): Promise<ProfileTokens> => refreshTokens(client, profile);
  // A margin keeps a token from expiring between the check and its use.
  if (Date.parse(tokens.accessTokenExpiresAt) - 5_000 <= Date.now()) tokens = await refresh();
  try {
    return await call(tokens.accessToken);
  } catch (error) {
    if (isCityError(error) && error.code === 'TOKEN_EXPIRED') {
      tokens = await refresh();
      return call(tokens.accessToken);
    }
    throw error;
  }
}
