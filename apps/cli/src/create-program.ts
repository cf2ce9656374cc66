/**
 * The `city` command tree (commander): every subcommand with its options, help and examples.
 * Parsing errors are thrown (exitOverride) so `runCli` prints them in one format with exit code 2.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { adminCommand } from './commands/admin-command.js';
import { backupCommands } from './commands/backup-commands.js';
import { completionCommand } from './commands/completion-command.js';
import { dbCommand } from './commands/db-command.js';
import { devicesCommand } from './commands/devices-command.js';
import { helpCommand } from './commands/help-command.js';
import { keyCommands } from './commands/key-commands.js';
import { keyvaultCommand } from './commands/keyvault-command.js';
import { makeRegisterBodyCommand } from './commands/make-register-body-command.js';
import { pairCommand } from './commands/pair-command.js';
import { recoveryCommands } from './commands/recovery-commands.js';
import { registerCommand } from './commands/register-command.js';
import { sessionCommands } from './commands/session-commands.js';
import type { CliIo } from './lib/_terminal.js';

/** The CLI's version, shown by `city --version`: the `version` of its package.json (set by changesets). */
export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

/**
 * Builds the command tree writing to `io`.
 *
 * @throws never
 * @example
 * ```ts
 * await createProgram(io).parseAsync(['node', 'city', 'cert', 'fingerprint', 'a.pem']);
 * ```
 */
export function createProgram(io: CliIo): Command {
  const program = new Command('city');
  program
    .description('City Chain Auth: register, log in and manage devices, for people and scripts')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // runCli prints parse errors itself, in the CLI's one-line format.
      outputError: () => {},
    })
    .addHelpText(
      'after',
      `
Modes: direct (default; registration-core in-process on --data-dir / CITY_DATA_DIR, default ./.city,
records in its SQLite city.db, or the stores named by CITY_MODE=aws|mongodb) and API (--api URL or
CITY_API_URL).
Exit codes: 0 ok, 1 user error, 2 usage error, 3 service unavailable.

Examples:
  $ city register
  $ printf '%s\\n' "$PASSWORD" | city register --username alice --email alice@example.com --password-stdin --json
  $ printf '%s\\n' "$PASSWORD" | city login --password-stdin
  $ city whoami --json
  $ city pair request
  $ city cert inspect ~/.config/city/profiles/default/device-cert.pem`,
    );
  makeRegisterBodyCommand(program, io);
  registerCommand(program, io);
  sessionCommands(program, io);
  pairCommand(program, io);
  recoveryCommands(program, io);
  devicesCommand(program, io);
  keyCommands(program, io);
  keyvaultCommand(program, io);
  dbCommand(program, io);
  backupCommands(program, io);
  adminCommand(program, io);
  completionCommand(program, io);
  helpCommand(program, io);
  return program;
}
