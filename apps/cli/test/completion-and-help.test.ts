/**
 * Shell completion and help pages, generated from the command definitions: the bash script is
 * sourced in a real bash and its completion function is driven with COMP_WORDS the way bash does;
 * the zsh script is loaded in zsh when zsh is installed. The oracle for what must be offered is
 * the command tree itself (createProgram), so a new command or flag without completion fails here.
 */
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/create-program.js';
import { makeWorkspace, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let bashScript: string;

beforeAll(async () => {
  ws = await makeWorkspace('completion');
  const run = await runCity(['completion', 'bash'], { env: ws.env });
  expect(run.code, run.stderr).toBe(0);
  bashScript = run.stdout;
});
afterAll(() => ws.cleanup());

const program: Command = createProgram({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: {},
});

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

/** What bash completion offers after `words` (the last one is the word being completed). */
function complete(words: readonly string[]): string[] {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const script = `${bashScript}
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}
_city
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
    cwd: ws.root,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('city completion bash', () => {
  it('registers a completion function for city when sourced', () => {
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', `${bashScript}\ncomplete -p city`], {
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('complete -o filenames -F _city city');
  });

  it('offers every top-level command of the definitions, and narrows by prefix', () => {
    const names = program.commands.map((command) => command.name());
    expect(complete(['city', '']).sort()).toEqual([...names].sort());
    expect(complete(['city', 're']).sort()).toEqual(names.filter((name) => name.startsWith('re')).sort());
  });

  it('offers the subcommands and options of a nested command', () => {
    const keyvault = program.commands.find((command) => command.name() === 'keyvault');
    expect(complete(['city', 'keyvault', '']).sort()).toEqual(
      (keyvault?.commands ?? []).map((command) => command.name()).sort(),
    );
    expect(complete(['city', 'keyvault', 'rot'])).toEqual(['rotate-kem']);
    const options = complete(['city', 'keyvault', 'rotate-kem', '--']);
    expect(options).toEqual(
      expect.arrayContaining(['--key', '--new-key-out', '--alg', '--data-dir', '--json']),
    );
  });

  it("completes an option's choices, and skips option values when finding the command", () => {
    const alg = complete(['city', 'keygen', '--alg', '']);
    expect(alg).toContain('ml-dsa-65');
    expect(alg).toContain('ed25519');
    expect(complete(['city', 'keygen', '--alg', 'ml-dsa-6'])).toEqual(['ml-dsa-65']);
    // "--profile register" is a value, so the command is still `login`.
    expect(complete(['city', 'login', '--profile', 'register', '--pass'])).toEqual(['--password-stdin']);
    expect(complete(['city', 'completion', '--'])).toContain('--help');
  });
});

describe('city completion zsh', () => {
  it.skipIf(!hasShell('zsh'))(
    'registers the completion in zsh (needs zsh: apt-get install zsh)',
    async () => {
      const run = await runCity(['completion', 'zsh'], { env: ws.env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.startsWith('#compdef city\n')).toBe(true);
      const result = spawnSync('zsh', ['-f', '-c', `${run.stdout}\nprint -r -- "\${_comps[city]}"`], {
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/_city/);
    },
  );

  it('refuses another shell with a usage error', async () => {
    const run = await runCity(['completion', 'fish'], { env: ws.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/USAGE_ERROR/);
  });
});

describe('city help', () => {
  it('a command as topic prints the same help as --help', async () => {
    const [viaHelp, viaFlag] = await Promise.all([
      runCity(['help', 'keyvault', 'rotate-kem'], { env: ws.env }),
      runCity(['keyvault', 'rotate-kem', '--help'], { env: ws.env }),
    ]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('Usage: city keyvault rotate-kem');
    expect(viaHelp.stdout).toBe(viaFlag.stdout.slice(0, viaHelp.stdout.length));
  });

  it('help commands lists every leaf command and option of the definitions', async () => {
    const run = await runCity(['help', 'commands'], { env: ws.env });
    expect(run.code, run.stderr).toBe(0);
    const leaves: Array<{ path: string; command: Command }> = [];
    const visit = (command: Command, path: string) => {
      for (const sub of command.commands) {
        const name = path === '' ? sub.name() : `${path} ${sub.name()}`;
        if (sub.commands.length > 0) visit(sub, name);
        else leaves.push({ path: name, command: sub });
      }
    };
    visit(program, '');
    for (const { path, command } of leaves) {
      expect(run.stdout).toMatch(new RegExp(`^city ${path}( |$)`, 'm'));
      for (const option of command.options) expect(run.stdout).toContain(option.flags);
    }
  });

  it('topic pages print, an unknown topic is a usage error naming the topics', async () => {
    for (const topic of ['modes', 'exit-codes', 'environment', 'profiles']) {
      const run = await runCity(['help', topic], { env: ws.env });
      expect(run.code, topic).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(100);
    }
    const unknown = await runCity(['help', 'nope'], { env: ws.env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error USAGE_ERROR: .*exit-codes/);
  });
});
