/**
 * Runs the `city` command: parses `argv`, runs the command, prints any error as one line
 * `error CODE: message` (stack only with `--debug`) and returns the exit code
 * (0 ok, 1 user error, 2 usage or configuration error, 3 retry later, 130 Ctrl-C at a prompt).
 */
import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { createProgram } from './create-program.js';
import { EXIT_CODES, exitCodeFor } from './exit-code.js';
import { formatError } from './format-error.js';
import type { CliIo } from './lib/_terminal.js';
import { paint } from './lib/_terminal.js';

/**
 * Runs the CLI and resolves to its exit code; never throws.
 *
 * @throws never
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = args.includes('--debug');
  const program = createProgram(io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT_CODES.OK;
  } catch (error) {
    // Ctrl-C at a prompt: the user chose to stop, so no error line, and the shell's code for SIGINT.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      io.stderr.write('\n');
      return EXIT_CODES.INTERRUPTED;
    }
    let reported: unknown = error;
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_CODES.OK;
      // Shown help after a missing subcommand has already been printed; other parse errors carry a message.
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed')
        return EXIT_CODES.USAGE_ERROR;
      reported = new CliError('USAGE_ERROR', `${error.message.replace(/^error:\s*/i, '')} (see --help)`, {
        cause: error,
      });
    }
    const text = formatError(reported, { debug });
    const [first, ...rest] = text.split('\n');
    io.stderr.write([paint(io, io.stderr, 'red', first ?? ''), ...rest].join('\n'));
    return exitCodeFor(reported);
  }
}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
