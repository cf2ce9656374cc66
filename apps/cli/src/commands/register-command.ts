/**
 * `city register` — registers a user and this machine as their first device. By default the device
 * key is generated here and only a CSR is sent; the certificate, the private key (0600) and the device
 * record are saved in the profile.
 */
import type { Command } from 'commander';
import {
  addModeOptions,
  addOutputOptions,
  addProfileOptions,
  type CommonOptions,
  printResult,
  withClient,
} from '../command-context.js';
import {
  addDeviceKeyOptions,
  type DeviceKeyOptions,
  prepareDeviceKey,
  profileForNewDevice,
  saveIssuedDevice,
} from '../device-key.js';
import { askText, obtainPassword } from '../lib/_prompts.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';
import { recoveryCodesText } from './recovery-commands.js';

interface Options extends CommonOptions, DeviceKeyOptions {
  readonly username?: string;
  readonly email?: string;
  readonly passwordStdin?: boolean;
  readonly name?: string;
  readonly birthDate?: string;
  readonly address?: string;
  readonly mynumber?: string;
  readonly phone?: string;
  readonly initialHarmonyToken?: string;
}

/**
 * Registers `register` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * registerCommand(program, io);
 * ```
 */
export function registerCommand(program: Command, io: CliIo): void {
  const command = program
    .command('register')
    .description('register a user and this machine as their first device (key generated locally, CSR sent)')
    .option('--username <name>', 'username, 3-32 of a-z 0-9 . _ - (prompted when omitted)')
    .option('--email <address>', 'email address (prompted when omitted)')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .option('--name <name>', 'full name')
    .option('--birth-date <yyyy-mm-dd>', 'birth date, ISO YYYY-MM-DD')
    .option('--address <address>', 'postal address')
    .option('--mynumber <digits>', 'My Number (12 digits with check digit)')
    .option('--phone <number>', 'phone number, E.164 or Japanese domestic')
    .option('--initial-harmony-token <n>', 'initial harmony token balance (non-negative integer)');
  addDeviceKeyOptions(command);
  addModeOptions(command);
  addProfileOptions(command);
  addOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
Prompts for username, email and password when they are not given and stdin is a terminal; each answer
is checked as it is entered (username format, email, the password policy, the repeated password) and
asked again with the reason.
Saves device-cert.pem, device-key.pem (0600), ca-cert.pem and profile.json in the profile.

Examples:
  $ city register
  $ printf '%s\\n' "$PASSWORD" | city register --username alice --email alice@example.com --password-stdin --json
  $ city register --username bob --email bob@example.com --alg ecdsa-p256 --profile bob --password-stdin < pw.txt
  $ city register --username carol --email carol@example.com --csr carol.csr --key carol.key --password-stdin < pw.txt
  $ city register --api http://127.0.0.1:3000 --username dave --email dave@example.com --password-stdin < pw.txt`,
    )
    .action(async (options: Options) => {
      const profile = await profileForNewDevice(io, options);
      // Loaded on demand: registration-core is more than the other commands need at start.
      const { emailCheck, usernameCheck } = await import('../lib/_answer-checks.js');
      const username = await askText(io, options.username, {
        flag: '--username',
        message: 'Username',
        check: usernameCheck,
      });
      const email = await askText(io, options.email, {
        flag: '--email',
        message: 'Email address',
        check: emailCheck,
      });
      const password = await obtainPassword(io, {
        fromStdin: options.passwordStdin,
        confirmTwice: true,
        policy: { username, email },
      });
      const key = await prepareDeviceKey(io, options, username.slice(0, 64) || 'city device');
      const body: Record<string, unknown> = {
        username,
        email,
        password,
        ...optional('name', options.name),
        ...optional('birth_date', options.birthDate),
        ...optional('address', options.address),
        ...optional('mynumber', options.mynumber),
        ...optional('phone', options.phone),
        ...optional('initial_harmony_token', options.initialHarmonyToken),
        ...optional('device_label', options.deviceLabel),
        ...key.body,
      };
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'registering', () => client.register(body)),
      );
      const saved = await saveIssuedDevice(profile, key, result, { username: result.username });
      const data = { ...saved, username: result.username, recoveryCodes: result.recoveryCodes ?? [] };
      printResult(
        io,
        options,
        data,
        [
          `registered ${result.username}`,
          `uuid:        ${result.uuid}`,
          `device:      ${result.deviceId}`,
          `fingerprint: ${result.fingerprint}`,
          `algorithm:   ${String(result.algorithm)} (key generated ${key.keySource === 'local' ? 'on this machine' : 'by the server'})`,
          `valid until: ${result.notAfter}`,
          `profile:     ${profile.directory}`,
          '',
          recoveryCodesText(result.recoveryCodes ?? []),
        ].join('\n'),
      );
    });
}

function optional(field: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [field]: value };
}
