/**
 * Prompts (inquirer) that are only ever shown on a terminal: when stdin is not a TTY a missing value
 * is a usage error naming the flag to pass, so a script never hangs waiting for input.
 * Prompts are drawn on stderr so stdout carries only the command's data.
 */

import { checkPasswordPolicy, type PasswordPolicyContext } from '@city/password';
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

/** A check of one answer: `true`, or the message shown under the prompt before it asks again. */
export type AnswerCheck = (answer: string) => true | string;

/**
 * `value` when given, else the answer to a text prompt, asked again until `check` accepts it; usage
 * error without a terminal.
 */
export async function askText(
  io: CliIo,
  value: string | undefined,
  options: { flag: string; message: string; required?: boolean; check?: AnswerCheck },
): Promise<string> {
  if (value !== undefined) return value;
  requireTerminal(io, options.flag);
  const required = options.required ?? true;
  return input(
    {
      message: options.message,
      validate: (answer: string) => {
        if (required && answer.trim() === '') return 'a value is required';
        return options.check === undefined ? true : options.check(answer);
      },
    },
    context(io),
  );
}

/**
 * A hidden-input prompt (the password is never echoed), asked again until `check` accepts the
 * answer; usage error without a terminal.
 */
export async function askSecret(
  io: CliIo,
  options: { flag: string; message: string; check?: AnswerCheck },
): Promise<string> {
  requireTerminal(io, options.flag);
  return password(
    {
      message: options.message,
      mask: '*',
      validate: (answer: string) => {
        if (answer === '') return 'a value is required';
        return options.check === undefined ? true : options.check(answer);
      },
    },
    context(io),
  );
}

/** The password policy of `@city/password` (the one the service applies) as a prompt check, with its message. */
export function passwordPolicyCheck(owner: PasswordPolicyContext): AnswerCheck {
  return (answer) => {
    try {
      const result = checkPasswordPolicy(answer, owner);
      return result.ok ? true : result.message;
    } catch (error) {
      return error instanceof Error ? error.message : 'the password cannot be used';
    }
  };
}

/** Rounds of a password and its repetition before two different answers are given up on. */
const CONFIRM_ROUNDS = 3;

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
 * The password: from stdin with `--password-stdin`, else a hidden prompt asked again until `policy`
 * (the owner's username and email) accepts it. With `confirmTwice` it is typed twice; when the two
 * differ both are asked again, up to three rounds, then `PASSWORD_MISMATCH`.
 */
export async function obtainPassword(
  io: CliIo,
  options: {
    fromStdin: boolean | undefined;
    message?: string;
    confirmTwice?: boolean;
    policy?: PasswordPolicyContext;
  },
): Promise<string> {
  if (options.fromStdin === true) return readStdinSecret(io, '--password-stdin');
  const check = options.policy === undefined ? undefined : passwordPolicyCheck(options.policy);
  const ask = () =>
    askSecret(io, {
      flag: '--password-stdin',
      message: options.message ?? 'Password',
      ...(check === undefined ? {} : { check }),
    });
  if (options.confirmTwice !== true) return ask();
  for (let round = 1; ; round += 1) {
    const first = await ask();
    const second = await askSecret(io, { flag: '--password-stdin', message: 'Repeat the password' });
    if (second === first) return first;
    if (round === CONFIRM_ROUNDS) throw new CliError('PASSWORD_MISMATCH');
    io.stderr.write('The two passwords differ; enter the password again.\n');
  }
}
