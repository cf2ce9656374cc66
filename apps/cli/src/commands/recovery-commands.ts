/**
 * Account recovery from the command line: `city recover` (on a new machine, for a user who lost
 * their devices: username + password + one recovery code → this machine's device saved in the
 * profile) and `city recovery-codes regenerate|status` (on a logged-in device).
 */
import type { Command } from 'commander';
import {
  addModeOptions,
  addOutputOptions,
  addProfileOptions,
  type CommonOptions,
  printResult,
  profileFor,
  withClient,
  withSession,
} from '../command-context.js';
import {
  addDeviceKeyOptions,
  type DeviceKeyOptions,
  prepareDeviceKey,
  profileForNewDevice,
  saveIssuedDevice,
} from '../device-key.js';
import { askText, obtainPassword } from '../lib/_prompts.js';
import type { CliIo } from '../lib/_terminal.js';
import { withSpinner } from '../lib/_terminal.js';

interface RecoverOptions extends CommonOptions, DeviceKeyOptions {
  readonly username?: string;
  readonly code?: string;
  readonly passwordStdin?: boolean;
}

/** The warning printed with every new set of recovery codes. */
const RECOVERY_CODES_WARNING =
  'recovery codes: shown only this once. Store them offline (printed, or in a password manager); each one, with your password, adds a device when you have none left (city recover). Each works once.';

/** The codes as printed for people: the warning, then one code per line (nothing from a server that sent none). */
export function recoveryCodesText(codes: readonly string[]): string {
  if (codes.length === 0) return '';
  return [RECOVERY_CODES_WARNING, ...codes.map((code) => `  ${code}`)].join('\n');
}

/**
 * Registers `recover` and `recovery-codes regenerate|status` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * recoveryCommands(program, io);
 * ```
 */
export function recoveryCommands(program: Command, io: CliIo): void {
  const recover = program
    .command('recover')
    .description('lost every device? add this machine as a new device with your password and a recovery code')
    .option('--username <name>', 'your username (prompted when omitted)')
    .option('--code <recovery-code>', 'one of your recovery codes (prompted when omitted)')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt');
  addDeviceKeyOptions(recover);
  addModeOptions(recover);
  addProfileOptions(recover);
  addOutputOptions(recover);
  recover
    .addHelpText(
      'after',
      `
Uses up the recovery code (each works once) and revokes nothing: afterwards review your devices
(city devices list), revoke the lost ones, and make new codes when few are left
(city recovery-codes regenerate). Without a recovery code, the operator can issue an enrolment
token (city admin reset-devices on the server), redeemed with city pair accept.

Examples:
  $ city recover --username alice
  $ printf '%s\\n' "$PASSWORD" | city recover --username alice --code 7K3M-Q9TB-X2HD-R8WN --password-stdin --json`,
    )
    .action(async (options: RecoverOptions) => {
      const profile = await profileForNewDevice(io, options);
      const username = await askText(io, options.username, { flag: '--username', message: 'Username' });
      const code = await askText(io, options.code, { flag: '--code', message: 'Recovery code' });
      const password = await obtainPassword(io, { fromStdin: options.passwordStdin, message: 'Password' });
      const key = await prepareDeviceKey(io, options, username.slice(0, 64) || 'city device');
      const body: Record<string, unknown> = {
        username,
        password,
        recovery_code: code,
        ...(options.deviceLabel === undefined ? {} : { device_label: options.deviceLabel }),
        ...key.body,
      };
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'recovering the account', () => client.recoverAccount(body)),
      );
      const saved = await saveIssuedDevice(profile, key, result, { username });
      const data = { ...saved, recoveryCodesRemaining: result.recoveryCodesRemaining };
      printResult(
        io,
        options,
        data,
        [
          `this machine is now device ${result.deviceId} of ${result.uuid}`,
          `recovery codes left: ${result.recoveryCodesRemaining}${result.recoveryCodesRemaining <= 3 ? ' (make new ones: city recovery-codes regenerate)' : ''}`,
          `fingerprint: ${result.fingerprint}`,
          `profile:     ${profile.directory}`,
          'next: city login, then city devices list, and revoke the devices you lost',
        ].join('\n'),
      );
    });

  const codes = program
    .command('recovery-codes')
    .description('your one-time recovery codes: make a new set, or count the unused ones')
    .addHelpText(
      'after',
      `
Examples:
  $ city recovery-codes status
  $ city recovery-codes regenerate`,
    );

  const regenerate = codes
    .command('regenerate')
    .description('make a new set of ten recovery codes (shown once); every old code stops working');
  addModeOptions(regenerate);
  addProfileOptions(regenerate);
  addOutputOptions(regenerate);
  regenerate
    .addHelpText(
      'after',
      `
Needs a session (city login).

Examples:
  $ city recovery-codes regenerate
  $ city recovery-codes regenerate --json | jq -r '.recoveryCodes[]'`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'making new recovery codes', () =>
          withSession(client, profile, (token) => client.regenerateRecoveryCodes(token)),
        ),
      );
      printResult(io, options, result, () => recoveryCodesText(result.recoveryCodes));
    });

  const status = codes.command('status').description('how many of your recovery codes are unused');
  addModeOptions(status);
  addProfileOptions(status);
  addOutputOptions(status);
  status
    .addHelpText(
      'after',
      `
Needs a session (city login).

Examples:
  $ city recovery-codes status
  $ city recovery-codes status --json`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const result = await withClient(io, options, (client) =>
        withSession(client, profile, (token) => client.recoveryCodesStatus(token)),
      );
      printResult(io, options, result, () =>
        result.total === 0
          ? 'this account has no recovery codes: make some with city recovery-codes regenerate'
          : `${result.remaining} of ${result.total} recovery codes unused${result.remaining <= 3 ? ' (make new ones: city recovery-codes regenerate)' : ''}`,
      );
    });
}
