/**
 * Drives the CLI through a real pseudo-terminal with tmux: a private server socket per test file,
 * keys sent with `send-keys`, the screen read with `capture-pane`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** True when a tmux binary is on PATH. */
export const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;

export class TmuxSession {
  private readonly socket = `city-cli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly name = 'cli';

  private constructor(private readonly dir: string) {}

  /**
   * Starts `args` of the city binary in a detached 160x50 terminal; stdout goes to `<dir>/stdout`,
   * the exit code to `<dir>/rc`; stderr (prompts, errors) stays on the terminal.
   */
  static async start(dir: string, command: string, env: Record<string, string>): Promise<TmuxSession> {
    const session = new TmuxSession(dir);
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
      .join('\n');
    const script = join(dir, 'run.sh');
    await writeFile(
      script,
      `${exports}\n${command} > ${shellQuote(join(dir, 'stdout'))}\necho $? > ${shellQuote(join(dir, 'rc'))}\nsleep 600\n`,
    );
    execFileSync('tmux', [
      '-L',
      session.socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      session.name,
      '-x',
      '160',
      '-y',
      '50',
      `sh ${shellQuote(script)}`,
    ]);
    return session;
  }

  /** The visible screen; with `escapes`, including colour escape sequences. */
  screen(escapes = false): string {
    return execFileSync(
      'tmux',
      ['-L', this.socket, 'capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name],
      {
        encoding: 'utf8',
      },
    );
  }

  /** Waits until the screen contains `text`. */
  async waitFor(text: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`);
      await delay(100);
    }
  }

  /** Types `text` literally (no key-name interpretation), then Enter unless `enter` is false. */
  type(text: string, enter = true): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, '-l', text]);
    if (enter) execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, 'Enter']);
  }

  /** Sends one key by its tmux name (`C-c`, `Escape`). */
  key(name: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, name]);
  }

  /** Waits for the command to end; resolves to its exit code and stdout. */
  async result(timeoutMs = 120_000): Promise<{ code: number; stdout: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const rc = await readFile(join(this.dir, 'rc'), 'utf8');
        if (rc.trim() !== '')
          return { code: Number(rc.trim()), stdout: await readFile(join(this.dir, 'stdout'), 'utf8') };
      } catch {
        // not finished yet
      }
      if (Date.now() > deadline) throw new Error(`command did not finish; screen:\n${this.screen()}`);
      await delay(100);
    }
  }

  /** Stops this test's tmux server (and the shell waiting in it). */
  close(): void {
    const socketPath = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], {
      encoding: 'utf8',
    }).stdout?.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    // tmux leaves the socket file behind; it is ours, so remove it.
    if (socketPath) rmSync(socketPath, { force: true });
  }
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
