/**
 * Prompts (inquirer) that are only ever shown on a terminal: when stdin is not a TTY a missing value
 * is a usage error naming the flag to pass, so a script never hangs waiting for input.
 * Prompts are drawn on stderr so stdout carries only the command's data.
 */
import { confirm, input, password } from '@inquirer/prompts';
import { CliError } from '../cli-error.js';
import { type CliIo, isInteractive } from './_terminal.js';

function context(io: CliIo): {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  clearPromptOnDone: boolean;
} {
  return { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
}

function requireTerminal(io: CliIo, flag: string): void {
  if (!isInteractive(io)) {
    throw new CliError('USAGE_ERROR', `missing ${flag} (stdin is not a terminal, so there is no prompt)`);
  }
}

/** `value` when given, else the answer to a text prompt; usage error without a terminal. */
export async function askText(
  io: CliIo,
  value: string | undefined,
  options: { flag: string; message: string; required?: boolean },
): Promise<string> {
  if (value !== undefined) return value;
  requireTerminal(io, options.flag);
  const required = options.required ?? true;
  return input(
    {
      message: options.message,
      validate: (answer: string) => (!required || answer.trim() !== '' ? true : 'a value is required'),
    },
    context(io),
  );
}

/** A hidden-input prompt (the password is never echoed); usage error without a terminal. */
export async function askSecret(io: CliIo, options: { flag: string; message: string }): Promise<string> {
  requireTerminal(io, options.flag);
  return password(
    {
      message: options.message,
      mask: '*',
      validate: (answer: string) => (answer !== '' ? true : 'a value is required'),
    },
    context(io),
  );
}

/** A yes/no prompt; `fallback` without a terminal. */
export async function askConfirm(io: CliIo, message: string, fallback: boolean): Promise<boolean> {
  if (!isInteractive(io)) return fallback;
  return confirm({ message, default: fallback }, context(io));
}

/** Reads all of stdin as UTF-8 and drops one trailing line break (for `--password-stdin`). */
export async function readStdinSecret(io: CliIo, flag: string): Promise<string> {
  if (isInteractive(io)) {
    throw new CliError('USAGE_ERROR', `${flag} expects the value piped on stdin, not a terminal`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new CliError('USAGE_ERROR', `${flag} given but stdin was empty`);
  return text;
}

/**
 * The password: from stdin with `--password-stdin`, else a hidden prompt (twice when `confirmTwice`).
 */
export async function obtainPassword(
  io: CliIo,
  options: { fromStdin: boolean | undefined; message?: string; confirmTwice?: boolean },
): Promise<string> {
  if (options.fromStdin === true) return readStdinSecret(io, '--password-stdin');
  const first = await askSecret(io, { flag: '--password-stdin', message: options.message ?? 'Password' });
  if (options.confirmTwice === true) {
    const second = await askSecret(io, { flag: '--password-stdin', message: 'Repeat the password' });
    if (second !== first) throw new CliError('PASSWORD_MISMATCH');
  }
  return first;
}
