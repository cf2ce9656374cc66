/**
 * Renders an error as the CLI prints it: one line `error CODE: message`, then one line per field
 * issue, and the stack only when asked (`--debug`).
 */
import { isCityError } from '@city/errors';

/**
 * The text printed on stderr for `error` (ends with a newline).
 *
 * @throws never
 * @example
 * ```ts
 * process.stderr.write(formatError(error, { debug: false }));
 * ```
 */
export function formatError(error: unknown, options: { debug?: boolean } = {}): string {
  const lines: string[] = [];
  if (isCityError(error)) {
    lines.push(`error ${error.code}: ${singleLine(error.message)}`);
    for (const issue of error.fields ?? []) {
      lines.push(`  ${issue.field}: ${issue.code} ${singleLine(issue.message)}`);
    }
    if (error.retryAfterSeconds !== undefined) lines.push(`  retry after ${error.retryAfterSeconds} s`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(
      `error UNEXPECTED: ${singleLine(message)}${options.debug ? '' : ' (run with --debug for details)'}`,
    );
  }
  if (options.debug && error instanceof Error && error.stack !== undefined) {
    lines.push(error.stack);
    let cause = error.cause;
    while (cause instanceof Error) {
      lines.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  }
  return `${lines.join('\n')}\n`;
}

function singleLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
