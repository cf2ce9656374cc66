/**
 * `city login`, `city refresh`, `city logout`, `city whoami`: the session of the profile's device.
 * Login and refresh prove possession of the device key by signing the server's challenge (never by
 * sending the fingerprint, which is public); the tokens are saved in the profile with mode 0600.
 */
import { signChallenge } from '@city/client-cert';
import { isCityError } from '@city/errors';
import type { Command } from 'commander';
import {
  addModeOptions,
  addOutputOptions,
  addProfileOptions,
  type CommonOptions,
  printResult,
  profileFor,
  refreshTokens,
  saveTokenPair,
  withClient,
  withSession,
} from '../command-context.js';
import { obtainPassword } from '../lib/_prompts.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';
import { meView } from '../result-views.js';

interface LoginOptions extends CommonOptions {
  readonly username?: string;
  readonly passwordStdin?: boolean;
}

/**
 * Registers `login`, `refresh`, `logout` and `whoami` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * sessionCommands(program, io);
 * ```
 */
export function sessionCommands(program: Command, io: CliIo): void {
  const login = program
    .command('login')
    .description('log in with the password and a signature by the device key of the profile')
    .option('--username <identifier>', "username, email or uuid (default: the profile's user)")
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt');
  addModeOptions(login);
  addProfileOptions(login);
  addOutputOptions(login);
  login
    .addHelpText(
      'after',
      `
Requests a challenge, signs it with device-key.pem and sends password + signature; saves tokens.json (0600).

Examples:
  $ city login
  $ printf '%s\\n' "$PASSWORD" | city login --password-stdin --json
  $ city login --profile bob --password-stdin < pw.txt`,
    )
    .action(async (options: LoginOptions) => {
      const profile = profileFor(io, options);
      const device = await profile.requireDevice();
      const privateKeyPem = await profile.requirePrivateKey();
      const password = await obtainPassword(io, {
        fromStdin: options.passwordStdin,
        message: `Password for ${device.username}`,
      });
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'logging in', async () => {
          const challenge = await client.createLoginChallenge();
          const signature = signChallenge(privateKeyPem, challenge.challenge);
          return client.login({
            identifier: options.username ?? device.username,
            password,
            proof: 'signature',
            challenge_id: challenge.challengeId,
            signature,
            device_id: device.deviceId,
          });
        }),
      );
      await saveTokenPair(profile, result);
      const data = {
        uuid: result.user.uuid,
        username: result.user.username,
        roles: result.user.roles,
        deviceId: result.deviceId,
        sessionId: result.sessionId,
        accessTokenExpiresAt: result.accessTokenExpiresAt,
        refreshTokenExpiresAt: result.refreshTokenExpiresAt,
      };
      printResult(
        io,
        options,
        data,
        `logged in as ${result.user.username} (${result.user.uuid}) on device ${result.deviceId}\nsession until ${result.refreshTokenExpiresAt}`,
      );
    });

  const refresh = program
    .command('refresh')
    .description('rotate the session tokens now, proving possession of the device key');
  addModeOptions(refresh);
  addProfileOptions(refresh);
  addOutputOptions(refresh);
  refresh
    .addHelpText(
      'after',
      `
Requests a refresh challenge, signs it with device-key.pem and sends it with the refresh token;
saves the new pair in tokens.json (0600). The refresh token alone is refused by the server.
Other commands refresh an expired access token on their own.

Examples:
  $ city refresh
  $ city refresh --profile bob --json`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const tokens = await withClient(io, options, (client) =>
        withSpinner(io, 'refreshing the session', () => refreshTokens(client, profile)),
      );
      printResult(
        io,
        options,
        {
          sessionId: tokens.sessionId,
          deviceId: tokens.deviceId,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
        },
        `session ${tokens.sessionId} refreshed; access token until ${tokens.accessTokenExpiresAt}`,
      );
    });

  const logout = program
    .command('logout')
    .description('end the session of the profile and forget its tokens');
  addModeOptions(logout);
  addProfileOptions(logout);
  addOutputOptions(logout);
  logout
    .addHelpText(
      'after',
      `
Revokes the session on the server (access token and refresh family) and deletes tokens.json.
A session that has already ended on the server is simply forgotten.

Examples:
  $ city logout
  $ city logout --profile bob --json`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const tokens = await profile.requireTokens();
      let serverSession: 'ended' | 'already-ended' = 'ended';
      await withClient(io, options, async (client) => {
        try {
          await withSpinner(io, 'logging out', () =>
            withSession(client, profile, (token) => client.logout(token)),
          );
        } catch (error) {
          if (!isCityError(error) || !SESSION_GONE.has(error.code)) throw error;
          // The access token is unusable; revoking the refresh token still ends the family.
          await client.revokeToken(tokens.refreshToken, 'refresh_token');
          serverSession = 'already-ended';
        }
      });
      await profile.clearTokens();
      printResult(
        io,
        options,
        { loggedOut: true, sessionId: tokens.sessionId, serverSession },
        `logged out (session ${tokens.sessionId})`,
      );
    });

  const whoami = program.command('whoami').description('show the user and device of the current session');
  addModeOptions(whoami);
  addProfileOptions(whoami);
  addOutputOptions(whoami);
  whoami
    .addHelpText(
      'after',
      `
Examples:
  $ city whoami
  $ city whoami --json | jq -r .uuid`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const me = await withClient(io, options, (client) =>
        withSpinner(io, 'asking the service', () =>
          withSession(client, profile, (token) => client.me(token)),
        ),
      );
      const lines = [
        `${me.username} (${me.uuid})`,
        `email:   ${me.email}`,
        `roles:   ${me.roles.join(', ')}`,
        `status:  ${me.status}`,
        `device:  ${me.deviceId}`,
        `session: ${me.sessionId}`,
      ];
      if (me.name !== undefined) lines.push(`name:    ${me.name}`);
      printResult(io, options, meView(me), lines.join('\n'));
    });
}

/** Errors meaning the session is already over on the server. */
const SESSION_GONE = new Set(['TOKEN_EXPIRED', 'TOKEN_REVOKED', 'TOKEN_INVALID', 'REFRESH_TOKEN_REUSED']);
