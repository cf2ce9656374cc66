/**
 * `city pair request` (on a logged-in device: one-time pairing token as a terminal QR code) and
 * `city pair accept <token|qr-payload|pairing link>` (on the new machine: local key + CSR, username + password,
 * this machine's device saved in the profile).
 */
import type { Command } from 'commander';
import QRCode from 'qrcode';
import { CliError } from '../cli-error.js';
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
import { type CliIo, colourEnabled, withSpinner } from '../lib/_terminal.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC of ANSI sequences is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
/** A pairing or enrolment token: 32 random bytes in base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const PAYLOAD_PREFIX = 'city-auth:pair?';
const ARGUMENT = '<token-or-payload>';

/** Quotes `value` for POSIX shells, so a pasted line passes it through unchanged (`&`, `?`, `'`). */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** What `pair accept` sends for its argument, and the device label a pairing link suggests. */
interface PairingArgument {
  readonly credential: { qr_code: string } | { pairing_token: string };
  readonly label?: string | undefined;
}

/**
 * The token, `city-auth:pair?...` payload or `https://.../pair?token=...` link (what the web page's QR
 * code holds) given to `pair accept`, checked before anything is prompted or generated, so a truncated
 * paste fails at once and names the argument.
 */
function readPairingArgument(raw: string): PairingArgument {
  const text = raw.trim();
  if (TOKEN.test(text)) return { credential: { pairing_token: text } };
  if (text.startsWith(PAYLOAD_PREFIX)) {
    const token = new URLSearchParams(text.slice(PAYLOAD_PREFIX.length)).get('token');
    if (token !== null && TOKEN.test(token)) return { credential: { qr_code: text } };
    throw new CliError(
      'INPUT_INVALID',
      `${ARGUMENT}: the payload has no valid token (expected token= with 43 base64url characters; was the paste cut short? quote the payload in single quotes)`,
    );
  }
  if (/^https?:\/\//i.test(text)) {
    let link: URL | undefined;
    try {
      link = new URL(text);
    } catch {
      link = undefined;
    }
    const token = link?.searchParams.get('token') ?? null;
    if (link === undefined || !link.pathname.endsWith('/pair') || token === null || !TOKEN.test(token)) {
      throw new CliError(
        'INPUT_INVALID',
        `${ARGUMENT}: the link is not a pairing link with a valid token (expected .../pair?token= with 43 base64url characters; was the paste cut short? quote the link in single quotes)`,
      );
    }
    const label = link.searchParams.get('label')?.trim();
    return { credential: { pairing_token: token }, label: label === '' ? undefined : label };
  }
  throw new CliError(
    'INPUT_INVALID',
    `${ARGUMENT} must be a 43-character pairing token, a ${PAYLOAD_PREFIX}... payload or a https://.../pair?token=... link, got ${text.length} characters`,
  );
}

interface RequestOptions extends CommonOptions {
  readonly qr?: boolean;
}

interface AcceptOptions extends CommonOptions, DeviceKeyOptions {
  readonly username?: string;
  readonly passwordStdin?: boolean;
}

/**
 * Registers `pair request` and `pair accept` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * pairCommand(program, io);
 * ```
 */
export function pairCommand(program: Command, io: CliIo): void {
  const pair = program
    .command('pair')
    .description('add another machine to your account with a one-time pairing token')
    .addHelpText(
      'after',
      `
Examples:
  $ city pair request                 # on a logged-in device: shows a QR code
  $ city pair accept 'city-auth:pair?v=1&uuid=...&token=...'   # on the new machine`,
    );

  const request = pair
    .command('request')
    .description('create a one-time pairing token and show it as a QR code with its expiry')
    .option('--no-qr', 'print the payload without the QR code');
  addModeOptions(request);
  addProfileOptions(request);
  addOutputOptions(request);
  request
    .addHelpText(
      'after',
      `
Needs a session (city login). The token is valid once, for a few minutes.

Examples:
  $ city pair request
  $ city pair request --json | jq -r .qrPayload`,
    )
    .action(async (options: RequestOptions) => {
      const profile = profileFor(io, options);
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'requesting a pairing token', () =>
          withSession(client, profile, (token) =>
            // The service takes no fields here: the new device names itself in `pair accept`.
            client.requestPairingToken(token, {}),
          ),
        ),
      );
      const rendered =
        options.json === true || options.qr === false
          ? ''
          : await QRCode.toString(result.qrPayload, { type: 'terminal', small: true });
      // The terminal renderer paints a white background; NO_COLOR and pipes get the bare blocks.
      const qr = colourEnabled(io, io.stdout) ? rendered : rendered.replace(ANSI_ESCAPE, '');
      // Only the service's fields: the API adds an SVG rendering that a terminal has no use for.
      const data = { token: result.token, expiresAt: result.expiresAt, qrPayload: result.qrPayload };
      // The new machine talks to the same API, so the line to paste carries --api when it was given.
      const apiFlag = options.api === undefined ? '' : ` --api ${shellQuote(options.api)}`;
      printResult(io, options, data, () =>
        [
          qr.trimEnd(),
          `pairing payload: ${result.qrPayload}`,
          `expires at:      ${result.expiresAt}`,
          'on the new machine run:',
          `  city pair accept ${shellQuote(result.qrPayload)}${apiFlag}`,
        ]
          .filter((line) => line !== '')
          .join('\n'),
      );
    });

  const accept = pair
    .command('accept')
    .description('register this machine as a new device with a pairing token or QR payload')
    .argument(
      '<token-or-payload>',
      'the pairing token, the whole city-auth:pair?... payload, or the https://.../pair?token=... link of the web QR code',
    )
    .option('--username <name>', 'your username (prompted when omitted)')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt');
  addDeviceKeyOptions(accept);
  addModeOptions(accept);
  addProfileOptions(accept);
  addOutputOptions(accept);
  accept
    .addHelpText(
      'after',
      `
Examples:
  $ city pair accept 'city-auth:pair?v=1&uuid=...&token=...' --profile laptop
  $ city pair accept 'https://auth.example/pair?token=...'     # the link a devices page QR code opens
  $ printf '%s\\n' "$PASSWORD" | city pair accept "$TOKEN" --username alice --password-stdin --json`,
    )
    .action(async (tokenOrPayload: string, options: AcceptOptions) => {
      const pairing = readPairingArgument(tokenOrPayload);
      const profile = await profileForNewDevice(io, options);
      const username = await askText(io, options.username, { flag: '--username', message: 'Username' });
      const password = await obtainPassword(io, { fromStdin: options.passwordStdin, message: 'Password' });
      const key = await prepareDeviceKey(io, options, username.slice(0, 64) || 'city device');
      // A label given here wins over the one the pairing link suggests.
      const deviceLabel = options.deviceLabel ?? pairing.label;
      const body: Record<string, unknown> = {
        ...pairing.credential,
        username,
        password,
        ...(deviceLabel === undefined ? {} : { device_label: deviceLabel }),
        ...key.body,
      };
      const result = await withClient(io, options, (client) =>
        withSpinner(io, 'registering this device', () => client.registerDeviceWithPairingToken(body)),
      );
      const saved = await saveIssuedDevice(profile, key, result, {
        username,
        pairedFromDeviceId: result.pairedFromDeviceId,
      });
      const data = {
        ...saved,
        ...(result.pairedFromDeviceId === undefined ? {} : { pairedFromDeviceId: result.pairedFromDeviceId }),
      };
      printResult(
        io,
        options,
        data,
        [
          `this machine is now device ${result.deviceId} of ${result.uuid}`,
          result.pairedFromDeviceId === undefined
            ? 'enrolled with an enrolment token from the operator'
            : `paired from: ${result.pairedFromDeviceId}`,
          `fingerprint: ${result.fingerprint}`,
          `profile:     ${profile.directory}`,
        ].join('\n'),
      );
    });
}
