/**
 * `city help [topic...]`: the help of any command (`city help keyvault rotate-kem`, the same text as
 * `--help`), a reference of every command generated from the command tree (`city help commands`),
 * and the pages that belong to no single command (modes, exit codes, environment, profiles).
 */
import type { Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../lib/_terminal.js';

const PAGES: Readonly<Record<string, string>> = {
  modes: `Modes

Direct (default): the use cases run in this process on a data directory (--data-dir, CITY_DATA_DIR,
default ./.city): keys, key vault and the records in its SQLite city.db, shared with an API running on
the same directory. CITY_MODE=aws (DynamoDB + S3 + SNS from the storage variables) or CITY_MODE=mongodb
(MONGODB_URI, CITY_MONGODB_DB) use those stores with the secrets of CITY_SECRETS_DIR.

API: --api URL or CITY_API_URL sends every call to a running City Chain Auth API instead. Both modes
print the same output for the same command.
`,
  'exit-codes': `Exit codes

  0  ok
  1  user error: the service refused the input, or a local file or profile problem
     (USERNAME_TAKEN, VALIDATION_FAILED, INVALID_CREDENTIALS, FILE_NOT_FOUND, NOT_LOGGED_IN, ...)
  2  usage or configuration error: unknown option or command, missing argument, a missing value
     without a terminal, an API address whose host does not resolve or whose TLS fails
     (API_ADDRESS_INVALID)
  3  retry later: service unavailable or rate-limited (STORE_UNAVAILABLE, SERVICE_UNAVAILABLE,
     RATE_LIMITED, TOO_MANY_ATTEMPTS, ACCOUNT_LOCKED); "retry after N s" when the service said
  130  interrupted: Ctrl-C at a prompt

Errors are one line on stderr, "error CODE: message", then one line per field problem; --debug adds
the stack. With --json, stdout carries exactly one JSON document.
`,
  environment: `Environment

  CITY_DATA_DIR         direct mode: data directory (default ./.city)
  CITY_API_URL          API mode: base URL of the API (same as --api)
  CITY_PROFILE          profile name (default "default")
  CITY_PROFILE_DIR      directory of the profiles (default per OS, see "city help profiles")
  CITY_MODE             embedded (default), aws or mongodb
  CITY_EMBEDDED_STORE   sqlite or dynalite (default: by the data directory's contents)
  CITY_SECRETS_DIR      aws/mongodb: directory with the CA, JWT keys and KEM key (default the data directory)
  MONGODB_URI           mongodb mode: connection string
  CITY_MONGODB_DB       mongodb mode: database name (default city)
  CITY_MONGODB_PII      mongodb mode: csfle, field-cipher or auto (default): how personal data is encrypted
  CITY_KEM_PRIVATE_KEY  keyvault commands: the KEM private key (PEM) when --key is not given
  NO_COLOR              any non-empty value turns colour off
`,
  profiles: `Profiles

One directory per device identity, <base>/<name>:
  name: --profile NAME, else CITY_PROFILE, else "default"
  base: --profile-dir DIR, else CITY_PROFILE_DIR, else
        Linux/Unix: $XDG_CONFIG_HOME/city/profiles, else ~/.config/city/profiles
        macOS:      ~/Library/Application Support/city/profiles
        Windows:    %APPDATA%\\city\\profiles
Files (0600, directories 0700): profile.json, device-cert.pem, device-key.pem, ca-cert.pem, tokens.json.
`,
};

/** Topics of `city help` that are not commands. */
export const HELP_TOPICS = ['commands', ...Object.keys(PAGES)] as const;

/**
 * Replaces commander's help command with `help [topic...]` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * helpCommand(program, io);
 * ```
 */
export function helpCommand(program: Command, io: CliIo): void {
  program.helpCommand(false);
  program
    .command('help')
    .description(`show the help of a command, or a topic: ${HELP_TOPICS.join(', ')}`)
    .argument('[topic...]', 'a command (e.g. "keyvault rotate-kem") or a topic')
    .addHelpText(
      'after',
      '\nExamples:\n  $ city help register\n  $ city help keyvault rotate-kem\n  $ city help commands\n  $ city help exit-codes',
    )
    .action((topic: string[]) => {
      if (topic.length === 0) {
        io.stdout.write(program.helpInformation());
        io.stdout.write(`\nTopics (city help <topic>): ${HELP_TOPICS.join(', ')}\n`);
        return;
      }
      const [first] = topic;
      if (topic.length === 1 && first !== undefined) {
        if (first === 'commands') {
          io.stdout.write(commandReference(program));
          return;
        }
        const page = PAGES[first];
        if (page !== undefined) {
          io.stdout.write(page);
          return;
        }
      }
      let command: Command | undefined = program;
      for (const name of topic) command = command?.commands.find((sub) => sub.name() === name);
      if (command === undefined || command === program)
        throw new CliError(
          'USAGE_ERROR',
          `no help for ${JSON.stringify(topic.join(' '))}: name a command or one of ${HELP_TOPICS.join(', ')}`,
        );
      io.stdout.write(command.helpInformation());
    });
}

/** Every command with its arguments and options, from the definitions. */
function commandReference(program: Command): string {
  const lines = ['Commands of city (generated from the command definitions)', ''];
  const visit = (command: Command, path: string): void => {
    for (const sub of command.commands) {
      const name = path === '' ? sub.name() : `${path} ${sub.name()}`;
      if (sub.commands.length > 0) {
        visit(sub, name);
        continue;
      }
      const args = sub.registeredArguments
        .map((arg) =>
          arg.required
            ? `<${arg.name()}${arg.variadic ? '...' : ''}>`
            : `[${arg.name()}${arg.variadic ? '...' : ''}]`,
        )
        .join(' ');
      lines.push(`city ${name}${args === '' ? '' : ` ${args}`}`, `    ${sub.description()}`);
      for (const option of sub.options as readonly Option[]) {
        if (!option.hidden) lines.push(`    ${option.flags.padEnd(28)} ${option.description}`);
      }
      lines.push('');
    }
  };
  visit(program, '');
  return `${lines.join('\n')}\n`;
}
