/**
 * Terminal helpers: colour only on a TTY without NO_COLOR (https://no-color.org), and a spinner on
 * stderr only when stderr is a TTY, so scripts and pipes see clean output.
 */

/** The streams and environment a command runs against (tests pass their own). */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** True when colour may be written to `stream`. */
export function colourEnabled(io: CliIo, stream: { isTTY?: boolean }): boolean {
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && io.env.TERM !== 'dumb';
}

const STYLES = { red: [31, 39], green: [32, 39], bold: [1, 22], dim: [2, 22] } as const;

/** `text` wrapped in an ANSI style when colour is enabled for `stream`. */
export function paint(
  io: CliIo,
  stream: { isTTY?: boolean },
  style: keyof typeof STYLES,
  text: string,
): string {
  if (!colourEnabled(io, stream)) return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** True when prompts may be shown: stdin is a terminal. */
export function isInteractive(io: CliIo): boolean {
  return io.stdin.isTTY === true;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Runs `task` with a spinner labelled `label` on stderr (nothing at all when stderr is not a TTY).
 */
export async function withSpinner<T>(io: CliIo, label: string, task: () => Promise<T>): Promise<T> {
  if (io.stderr.isTTY !== true) return task();
  let frame = 0;
  const draw = (): void => {
    io.stderr.write(`\r${FRAMES[frame % FRAMES.length]} ${label}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await task();
  } finally {
    clearInterval(timer);
    io.stderr.write(`\r\u001b[2K`);
  }
}
