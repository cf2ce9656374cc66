/**
 * `city admin ...`: operator commands on the server's own data (direct mode only): roles, user
 * listing, disabling and enabling users, resetting the devices of a user who lost them all (a
 * one-time enrolment token), the audit trail, the services allowed to introspect tokens, and the
 * JWT signing keys (`jwt-key-commands`).
 * They open the deployment's stores and
 * secrets in-process, so whoever can run them already holds the data; no session is needed, and
 * every change is audited as `by: operator:cli`. The first admin of a deployment is made here.
 */
import {
  type AuditEntry,
  type AuthService,
  ROLES,
  type ServiceClientSummary,
  type UserSummary,
} from '@city/registration-core';
import { Argument, type Command, Option } from 'commander';
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
import { jwtKeyCommands } from './jwt-key-commands.js';

const OPERATOR = { operator: 'cli' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AdminOptions extends CommonOptions {
  readonly limit?: string;
  readonly user?: string;
}

/** The target of a command: a uuid is taken as one, anything else as a username. */
function target(user: string): { user_uuid: string } | { username: string } {
  return UUID.test(user) ? { user_uuid: user } : { username: user };
}

function addDataDirOption(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--data-dir <dir>',
        "the server's data directory (env CITY_DATA_DIR, default ./.city; CITY_MODE=aws|mongodb as the API reads it)",
      ),
    )
    .addOption(configOption());
}

async function withService<T>(
  io: CliIo,
  options: CommonOptions,
  label: string,
  task: (auth: AuthService) => Promise<T>,
): Promise<T> {
  const { openDirectService } = await import('../open-direct-auth.js');
  const service = await withSpinner(io, 'opening the data store', () =>
    openDirectService(io, directOptionsOf(options)),
  );
  try {
    return await withSpinner(io, label, () => task(service.auth));
  } finally {
    await service.close();
  }
}

function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
    throw new CliError(
      'USAGE_ERROR',
      `--limit expects a whole number from 1 to 1000, got ${JSON.stringify(raw)}`,
    );
  return Number(raw);
}

function userView(user: UserSummary): Record<string, unknown> {
  return {
    uuid: user.uuid,
    username: user.username,
    email: user.email,
    roles: user.roles,
    status: user.status,
    createdAt: user.createdAt,
  };
}

/**
 * Registers the `admin` command group on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * adminCommand(program, io);
 * ```
 */
export function adminCommand(program: Command, io: CliIo): void {
  const admin = program
    .command('admin')
    .description("operator commands on the server's data directory: roles, users, audit trail")
    .addHelpText(
      'after',
      `
These commands open the deployment's stores directly (like the server, on the same --data-dir or
CITY_MODE stores), never through the API, and need no login. Every change is audited as
operator:cli.

Examples:
  $ city admin grant-role alice admin --data-dir /var/lib/city
  $ city admin users --json
  $ city admin disable mallory
  $ city admin audit --user mallory --limit 20
  $ city admin rotate-jwt-key --data-dir /var/lib/city`,
    );

  for (const action of ['grant', 'revoke'] as const) {
    const command = admin
      .command(`${action}-role`)
      .description(
        action === 'grant' ? 'give a user a role' : 'take a role from a user (every user keeps "user")',
      )
      .argument('<user>', 'username or uuid')
      .addArgument(new Argument('<role>', 'the role').choices(ROLES));
    addDataDirOption(command);
    addOutputOptions(command);
    command.addHelpText(
      'after',
      `
Examples:
  $ city admin ${action}-role alice admin --data-dir /var/lib/city
  $ city admin ${action}-role 5f1c...-uuid moderator --json`,
    );
    command.action(async (user: string, role: string, options: AdminOptions) => {
      const input = { ...target(user), role };
      const updated = await withService(
        io,
        options,
        `${action === 'grant' ? 'granting' : 'revoking'} ${role}`,
        (auth) => (action === 'grant' ? auth.grantRole(OPERATOR, input) : auth.revokeRole(OPERATOR, input)),
      );
      printResult(io, options, userView(updated), `${updated.username}: roles ${updated.roles.join(', ')}`);
    });
  }

  for (const action of ['disable', 'enable'] as const) {
    const command = admin
      .command(action)
      .description(
        action === 'disable'
          ? 'disable a user: every session ends at once, logins are refused'
          : 'enable a disabled user again (old sessions stay ended)',
      )
      .argument('<user>', 'username or uuid');
    addDataDirOption(command);
    addOutputOptions(command);
    command.addHelpText(
      'after',
      `
Examples:
  $ city admin ${action} mallory --data-dir /var/lib/city
  $ city admin ${action} 5f1c...-uuid --json`,
    );
    command.action(async (user: string, options: AdminOptions) => {
      const updated = await withService(
        io,
        options,
        `${action === 'disable' ? 'disabling' : 'enabling'}`,
        (auth) =>
          auth.setUserStatus(OPERATOR, {
            ...target(user),
            status: action === 'disable' ? 'disabled' : 'active',
          }),
      );
      printResult(io, options, userView(updated), `${updated.username}: ${updated.status}`);
    });
  }

  const reset = admin
    .command('reset-devices')
    .description(
      'for a user who lost every device: revoke all their devices and print a one-time enrolment token (24 h)',
    )
    .argument('<user>', 'username or uuid');
  addDataDirOption(reset);
  addOutputOptions(reset);
  reset.addHelpText(
    'after',
    `
The user enrols a new device with the token and their password, like pairing:
  $ city pair accept '<the printed city-auth:pair?... line>'
or on the web page /pair. Every revoked device's sessions end at once; the token works once.

Examples:
  $ city admin reset-devices alice --data-dir /var/lib/city
  $ city admin reset-devices alice --json | jq -r .qrPayload`,
  );
  reset.action(async (user: string, options: AdminOptions) => {
    const result = await withService(io, options, 'resetting devices', (auth) =>
      auth.resetDevices(OPERATOR, target(user)),
    );
    printResult(io, options, result, () =>
      [
        `${result.username}: ${result.devicesRevoked} device(s) revoked, their sessions ended`,
        `one-time enrolment token, valid until ${result.expiresAt} (give it to the user over a trusted channel):`,
        '',
        `  city pair accept '${result.qrPayload}'`,
        '',
        'The user runs that line on the new device (or pastes the token on the /pair page) and enters their password.',
      ].join('\n'),
    );
  });

  const users = admin.command('users').description('list every user');
  addDataDirOption(users);
  addOutputOptions(users);
  users.addHelpText(
    'after',
    `
Examples:
  $ city admin users --data-dir /var/lib/city
  $ city admin users --json | jq -r '.[] | select(.status == "disabled") | .username'`,
  );
  users.action(async (options: AdminOptions) => {
    const all = await withService(io, options, 'listing users', async (auth) => {
      const items: UserSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await auth.listUsers(OPERATOR, {
          limit: 100,
          ...(cursor === undefined ? {} : { cursor }),
        });
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return items;
    });
    printResult(io, options, all.map(userView), () => renderUsers(all));
  });

  const audit = admin.command('audit').description('the audit trail, newest first');
  audit.addOption(new Option('--user <user>', 'only the events of this user (username or uuid)'));
  audit.addOption(new Option('--limit <n>', 'at most this many events (default 50)'));
  addDataDirOption(audit);
  addOutputOptions(audit);
  audit.addHelpText(
    'after',
    `
Examples:
  $ city admin audit --limit 20
  $ city admin audit --user alice --json | jq -r '.[] | "\\(.at) \\(.type) \\(.reason // "")"'`,
  );
  audit.action(async (options: AdminOptions) => {
    const limit = parseLimit(options.limit, 50);
    const events = await withService(io, options, 'reading the audit trail', async (auth) => {
      let userUuid: string | undefined;
      if (options.user !== undefined) {
        userUuid = (await auth.getUser(OPERATOR, target(options.user))).uuid;
      }
      const items: AuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await auth.listAudit(OPERATOR, {
          limit: Math.min(100, limit - items.length),
          ...(userUuid === undefined ? {} : { user_uuid: userUuid }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor !== undefined && items.length < limit);
      return items;
    });
    printResult(io, options, events, () => renderAudit(events));
  });

  jwtKeyCommands(admin, io);
  serviceCommands(admin, io);
}

/** `city admin service add|list|remove`: services that may call POST /token/introspect. */
function serviceCommands(admin: Command, io: CliIo): void {
  const service = admin
    .command('service')
    .description('services allowed to introspect tokens (client credentials for POST /token/introspect)')
    .addHelpText(
      'after',
      `
A service (another API that accepts City Chain tokens) registered here can ask POST /token/introspect
whether a token is still active, with its client id and secret (HTTP Basic).

Examples:
  $ city admin service add orders --name "Orders API"
  $ city admin service list
  $ city admin service remove orders`,
    );

  const add = service
    .command('add')
    .description('register a service; prints its client secret once')
    .argument('<client_id>', '3-64 characters [a-z0-9._-]')
    .addOption(new Option('--name <name>', 'a label for people (default: the client id)'));
  addDataDirOption(add);
  addOutputOptions(add);
  add.addHelpText(
    'after',
    `
The secret is shown only now; store it in the service's secret store. Only its SHA-256 is kept.

Examples:
  $ city admin service add orders --name "Orders API" --data-dir /var/lib/city
  $ city admin service add billing --json | jq -r .clientSecret`,
  );
  add.action(async (clientId: string, options: AdminOptions & { readonly name?: string }) => {
    const created = await withService(io, options, `registering ${clientId}`, (auth) =>
      auth.addServiceClient(OPERATOR, {
        client_id: clientId,
        ...(options.name === undefined ? {} : { name: options.name }),
      }),
    );
    printResult(
      io,
      options,
      created,
      `${created.clientId} registered\nclient secret (shown once): ${created.clientSecret}`,
    );
  });

  const list = service.command('list').description('list the registered services (never their secrets)');
  addDataDirOption(list);
  addOutputOptions(list);
  list.addHelpText(
    'after',
    `
Examples:
  $ city admin service list --data-dir /var/lib/city
  $ city admin service list --json`,
  );
  list.action(async (options: AdminOptions) => {
    const clients = await withService(io, options, 'listing services', (auth) =>
      auth.listServiceClients(OPERATOR),
    );
    printResult(io, options, clients, () => renderServices(clients));
  });

  const remove = service
    .command('remove')
    .description('remove a service; its secret stops working at once')
    .argument('<client_id>', 'the client id');
  addDataDirOption(remove);
  addOutputOptions(remove);
  remove.addHelpText(
    'after',
    `
Examples:
  $ city admin service remove orders --data-dir /var/lib/city`,
  );
  remove.action(async (clientId: string, options: AdminOptions) => {
    await withService(io, options, `removing ${clientId}`, (auth) =>
      auth.removeServiceClient(OPERATOR, { client_id: clientId }),
    );
    printResult(io, options, { clientId, removed: true }, `${clientId} removed`);
  });
}

function renderServices(items: readonly ServiceClientSummary[]): string {
  if (items.length === 0) return 'no services';
  return textTable(
    ['CLIENT ID', 'NAME', 'CREATED'],
    items.map((c) => [c.clientId, c.name, c.createdAt]),
  );
}

function renderUsers(items: readonly UserSummary[]): string {
  if (items.length === 0) return 'no users';
  return textTable(
    ['USERNAME', 'UUID', 'STATUS', 'ROLES', 'EMAIL', 'CREATED'],
    items.map((u) => [u.username, u.uuid, u.status, u.roles.join(','), u.email, u.createdAt]),
  );
}

function renderAudit(items: readonly AuditEntry[]): string {
  if (items.length === 0) return 'no events';
  return textTable(
    ['AT', 'TYPE', 'USER', 'REASON', 'DETAIL'],
    items.map((e) => [
      e.at,
      e.type,
      e.userUuid ?? '',
      e.reason ?? '',
      e.detail === undefined
        ? ''
        : Object.entries(e.detail)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' '),
    ]),
  );
}
