/**
 * `city make-register-body` — the legacy make_register_body.py: reads a client certificate PEM,
 * asks for username and (hidden) password, prints the JSON body `{ username, password, client_cert_fp }`
 * and optionally saves it as `register_body_<username>.json` (0600: it holds the password).
 */
import { resolve } from 'node:path';
import { certificateFingerprint } from '@city/client-cert';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addOutputOptions, type CommonOptions } from '../command-context.js';
import { readInputFile, writePrivateFile } from '../lib/_files.js';
import { askConfirm, askText, obtainPassword } from '../lib/_prompts.js';
import type { CliIo } from '../lib/_terminal.js';

interface Options extends CommonOptions {
  readonly pem?: string;
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly out?: string | true;
}

/**
 * Registers `make-register-body` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * makeRegisterBodyCommand(program, io);
 * ```
 */
export function makeRegisterBodyCommand(program: Command, io: CliIo): void {
  const command = program
    .command('make-register-body')
    .description('build the JSON body { username, password, client_cert_fp } from a client certificate PEM')
    .option('--pem <file>', 'client certificate PEM file (prompted when omitted)')
    .option('--username <name>', 'username (prompted when omitted)')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .option('--out [file]', 'also save the body (default file register_body_<username>.json, mode 0600)');
  addOutputOptions(command);
  command
    .addHelpText(
      'after',
      `
The body is printed on stdout as JSON (with or without --json). The fingerprint is SHA-256 of the
certificate's DER, lower-case hex. Without a terminal every value must come from flags.

Examples:
  $ city make-register-body
  $ printf '%s\\n' "$PASSWORD" | city make-register-body --pem client.pem --username alice --password-stdin --out
  $ city make-register-body --pem C:\\certs\\client.pem --username alice --password-stdin --out body.json < pw.txt`,
    )
    .action(async (options: Options) => {
      const pemPath = await askText(io, options.pem, {
        flag: '--pem',
        message: 'Client certificate (PEM) file path',
      });
      const pem = await readInputFile(stripQuotes(pemPath.trim()), 'certificate file');
      let fingerprint: string;
      try {
        fingerprint = certificateFingerprint(pem);
      } catch (cause) {
        throw new CliError('INPUT_INVALID', `${pemPath} is not a PEM certificate`, { cause });
      }
      const username = (
        await askText(io, options.username, { flag: '--username', message: 'Username to register' })
      ).trim();
      // Loaded on demand: registration-core pulls in the storage adapters, which this command never uses.
      const { validateUsername } = await import('@city/registration-core');
      const checked = validateUsername(username);
      if (!checked.ok) {
        throw new CliError('INPUT_INVALID', `username: ${checked.message}`, {
          fields: [{ field: 'username', code: checked.code, message: checked.message }],
        });
      }
      const password = await obtainPassword(io, { fromStdin: options.passwordStdin, message: 'Password' });
      const body = { username: checked.value.display, password, client_cert_fp: fingerprint };
      const text = `${JSON.stringify(body, null, 2)}\n`;

      let outPath: string | undefined;
      if (options.out !== undefined) {
        outPath = options.out === true ? defaultFileName(checked.value.key) : options.out;
      } else if (await askConfirm(io, `Save to ${defaultFileName(checked.value.key)}?`, false)) {
        outPath = defaultFileName(checked.value.key);
      }
      io.stdout.write(text);
      if (outPath !== undefined) {
        await writePrivateFile(resolve(outPath), text);
        io.stderr.write(`[OK] saved ${outPath}\n`);
      }
    });
}

function defaultFileName(usernameKey: string): string {
  return `register_body_${usernameKey}.json`;
}

/** Windows "Copy as path" wraps paths in double quotes; people paste them as they are. */
function stripQuotes(path: string): string {
  return path.length >= 2 && path.startsWith('"') && path.endsWith('"') ? path.slice(1, -1) : path;
}
