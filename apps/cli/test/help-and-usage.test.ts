/**
 * Every command has --help with examples, data commands offer --json, and usage mistakes are exit 2
 * with one `error USAGE_ERROR:` line. Run in-process through `runCli` (same code path as the binary),
 * plus subprocess checks of the binary itself.
 */
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/create-program.js';
import { runCli } from '../src/run-cli.js';
import { cleanEnv, runCity } from './helpers/run-city.js';

function memoryIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const stdin = new PassThrough();
  stdin.end();
  return {
    io: { stdin, stdout, stderr, env: { NO_COLOR: '1' } },
    output: () => ({ out, err }),
  };
}

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

const program = createProgram(memoryIo().io);
const paths = commandPaths(program);
const leaves = paths.filter((path) => {
  let cmd: Command | undefined = program;
  for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd !== undefined && cmd.commands.length === 0;
});

describe('help', () => {
  it('lists every command', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'make-register-body',
        'register',
        'login',
        'refresh',
        'logout',
        'whoami',
        'pair request',
        'pair accept',
        'devices list',
        'devices revoke',
        'keygen',
        'csr',
        'cert inspect',
        'cert fingerprint',
        'keyvault init',
        'keyvault status',
        'keyvault rotate-kem',
        'keyvault unwrap',
        'db init',
      ]),
    );
  });

  it.each(paths.map((p) => [p.join(' '), p]))(
    'city %s --help shows examples (exit 0)',
    async (_name, path) => {
      const { io, output } = memoryIo();
      const code = await runCli([...(path as string[]), '--help'], io);
      expect(code).toBe(0);
      expect(output().out).toContain('Examples:');
      expect(output().out).toContain('$ city');
    },
  );

  // A shell script and help pages are text for the shell and the reader; they have no JSON form.
  const TEXT_OUTPUT = new Set(['completion', 'help']);
  it.each(leaves.filter((p) => !TEXT_OUTPUT.has(p.join(' '))).map((p) => [p.join(' '), p]))(
    'city %s offers --json and --debug',
    async (_name, path) => {
      const { io, output } = memoryIo();
      await runCli([...(path as string[]), '--help'], io);
      expect(output().out).toContain('--json');
      expect(output().out).toContain('--debug');
    },
  );

  it('the binary prints help and its version', async () => {
    const help = await runCity(['--help'], { env: cleanEnv({}) });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1 user error, 2 usage error, 3 service unavailable');
    const version = await runCity(['--version'], { env: cleanEnv({}) });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('usage errors are exit 2 with one line', () => {
  it.each([
    [['frobnicate'], /^error USAGE_ERROR: unknown command 'frobnicate'/],
    [['register', '--bogus'], /^error USAGE_ERROR: unknown option '--bogus'/],
    [['devices', 'revoke'], /^error USAGE_ERROR: missing required argument 'device-id'/],
    [['pair', 'accept'], /^error USAGE_ERROR: missing required argument 'token-or-payload'/],
    [['keygen', '--alg'], /^error USAGE_ERROR: option '--alg <algorithm>' argument missing/],
    [
      ['keyvault', 'init', '--alg', 'rsa'],
      /^error USAGE_ERROR: option '--alg <algorithm>' argument 'rsa' is invalid/,
    ],
    [['register', '--profile', '../../etc'], /^error USAGE_ERROR: --profile expects/],
    [
      ['register', '--username', 'a', '--email', 'a@example.com'],
      /^error USAGE_ERROR: missing --password-stdin \(stdin is not a terminal/,
    ],
    [
      [
        'register',
        '--server-key',
        '--csr',
        'x.csr',
        '--key',
        'x.key',
        '--username',
        'a',
        '--email',
        'a@b.c',
        '--password-stdin',
      ],
      /^error USAGE_ERROR: --csr, --server-key cannot be combined/,
    ],
    [['login'], /^error USAGE_ERROR: /],
  ])('city %j', async (args, pattern) => {
    const { io, output } = memoryIo();
    // login with an empty profile would be a user error; give it a device-less profile dir only for that case.
    const code = await runCli(args as string[], {
      ...io,
      env: {
        ...io.env,
        CITY_PROFILE_DIR: '/nonexistent-city-profiles',
        CITY_DATA_DIR: '/nonexistent-city-data',
      },
    });
    const { err } = output();
    if ((args as string[])[0] === 'login') {
      expect(code).toBe(1);
      expect(err).toMatch(/^error PROFILE_NOT_FOUND: /);
      return;
    }
    expect(code, err).toBe(2);
    expect(err).toMatch(pattern);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a group without a subcommand shows its help and exits 2', async () => {
    const run = await runCity(['devices'], { env: cleanEnv({}) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: city devices');
  });

  it('--debug adds the stack to the error, otherwise there is none', async () => {
    const plain = await runCity(['cert', 'inspect', '/nonexistent.pem'], { env: cleanEnv({}) });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('error FILE_NOT_FOUND: cannot read certificate file /nonexistent.pem\n');
    const debug = await runCity(['cert', 'inspect', '/nonexistent.pem', '--debug'], { env: cleanEnv({}) });
    expect(debug.stderr).toMatch(/^error FILE_NOT_FOUND: .*\nCliError: .*\n\s+at /);
    expect(debug.stderr).toContain('caused by: Error: ENOENT');
  });
});
