/**
 * Local file helpers: secrets are written with mode 0600 in directories of mode 0700 (POSIX; on
 * Windows the user's profile ACLs apply), and a file that cannot be read or written is a user error
 * naming the path.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from '../cli-error.js';

/** Reads a UTF-8 file named on the command line (`-` reads stdin). */
export async function readInputFile(
  path: string,
  what: string,
  stdin?: NodeJS.ReadableStream,
): Promise<string> {
  if (path === '-' && stdin !== undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new CliError('FILE_NOT_FOUND', `cannot read ${what} ${path}`, { cause });
  }
}

/**
 * Writes `content` to `path` readable by the owner only. With `exclusive`, an existing file is an
 * error instead of being replaced.
 */
export async function writePrivateFile(
  path: string,
  content: string | Uint8Array,
  options: { exclusive?: boolean } = {},
): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw notWritable(`cannot create the directory of ${path}`, cause);
  }
  try {
    await writeFile(path, content, { mode: 0o600, flag: options.exclusive ? 'wx' : 'w' });
    // `mode` applies only when the file is created; tighten a file that existed before.
    await chmod(path, 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError('FILE_EXISTS', `${path} exists already and is not overwritten`, { cause });
    }
    throw notWritable(`cannot write ${path}`, cause);
  }
}

/** A path the user named that is a directory, lies under a file or is not theirs: a user error, not a crash. */
function notWritable(message: string, cause: unknown): unknown {
  const code = (cause as NodeJS.ErrnoException).code;
  return typeof code === 'string'
    ? new CliError('FILE_NOT_WRITABLE', `${message} (${code})`, { cause })
    : cause;
}
