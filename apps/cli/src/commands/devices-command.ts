/** `city devices list` and `city devices revoke <id>`: the devices of the logged-in user. */
import type { DeviceSummary } from '@city/registration-core';
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
import { type CliIo, withSpinner } from '../lib/_terminal.js';
import { textTable } from '../lib/_text-table.js';
import { deviceView } from '../result-views.js';

/**
 * Registers `devices list` and `devices revoke` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * devicesCommand(program, io);
 * ```
 */
export function devicesCommand(program: Command, io: CliIo): void {
  const devices = program
    .command('devices')
    .description('list or revoke the devices of your account')
    .addHelpText(
      'after',
      `
Examples:
  $ city devices list
  $ city devices revoke 3f0c...`,
    );

  const list = devices.command('list').description('list your devices (the current one is marked *)');
  addModeOptions(list);
  addProfileOptions(list);
  addOutputOptions(list);
  list
    .addHelpText(
      'after',
      `
Examples:
  $ city devices list
  $ city devices list --json | jq -r '.[] | select(.status == "active") | .deviceId'`,
    )
    .action(async (options: CommonOptions) => {
      const profile = profileFor(io, options);
      const items = await withClient(io, options, (client) =>
        withSpinner(io, 'listing devices', () =>
          withSession(client, profile, (token) => client.listDevices(token)),
        ),
      );
      printResult(io, options, items.map(deviceView), () => renderDevices(items));
    });

  const revoke = devices
    .command('revoke')
    .description('revoke a device: its certificate goes on the CRL and its sessions end')
    .argument('<device-id>', 'the device to revoke (see city devices list)')
    .option('--force', "also revoke the account's last active device (you can no longer log in afterwards)");
  addModeOptions(revoke);
  addProfileOptions(revoke);
  addOutputOptions(revoke);
  revoke
    .addHelpText(
      'after',
      `
Revoking the account's last active device is refused (LAST_DEVICE_CONFIRMATION_REQUIRED) unless
--force is given: without a device nobody can log in, and only a recovery code with the password
(city recover) or an operator's enrolment token (city admin reset-devices <user> on the server)
adds a device again.

Examples:
  $ city devices revoke 3f0c2a4e-...
  $ city devices revoke "$ID" --json
  $ city devices revoke "$LAST" --force`,
    )
    .action(async (deviceId: string, options: CommonOptions & { force?: boolean }) => {
      const profile = profileFor(io, options);
      const device = await withClient(io, options, (client) =>
        withSpinner(io, 'revoking', () =>
          withSession(client, profile, (token) =>
            client.revokeDevice(token, deviceId, { confirmLastDevice: options.force === true }),
          ),
        ),
      );
      printResult(
        io,
        options,
        deviceView(device),
        `revoked device ${device.deviceId} (${device.revokedAt ?? 'now'})`,
      );
    });
}

function renderDevices(items: readonly DeviceSummary[]): string {
  if (items.length === 0) return 'no devices';
  const rows = items.map((d) => [
    d.current ? '*' : ' ',
    d.deviceId,
    d.status,
    d.algorithm,
    d.label ?? '',
    d.createdAt,
    d.fingerprint.slice(0, 16),
  ]);
  const header = [' ', 'DEVICE', 'STATUS', 'ALGORITHM', 'LABEL', 'CREATED', 'FINGERPRINT'];
  return textTable(header, rows);
}
