/**
 * `pair request` prints a line to paste on the new machine, quoted for the shell; `pair accept`
 * checks its argument before prompting or generating a key; direct mode announces a new deployment.
 * Real subprocesses in direct mode.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });

beforeAll(async () => {
  ws = await makeWorkspace('pair-paste');
});
afterAll(() => ws.cleanup());

describe('direct mode on a new data directory, then pairing (in order, one data dir)', () => {
  it('the first command announces the new deployment on stderr, naming the directory; later ones do not', async () => {
    const first = await city(
      [
        'register',
        '--username',
        'paster',
        '--email',
        'paster@example.com',
        '--password-stdin',
        '--profile',
        'paster',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `created a new deployment (CA, JWT signing key, key vault, database) in ${resolve(ws.dataDir)}\n`,
    );
    expect(() => first.json()).not.toThrow();
    const second = await city(
      ['login', '--password-stdin', '--profile', 'paster', '--json'],
      `${PASSWORD}\n`,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('created a new deployment');
  });

  it('pair request prints a ready-to-paste `city pair accept` line that a shell reads back as the payload', async () => {
    const run = await city(['pair', 'request', '--profile', 'paster', '--no-qr']);
    expect(run.code, run.stderr).toBe(0);
    const payload = /^pairing payload: (\S+)$/m.exec(run.stdout)?.[1];
    expect(payload).toMatch(/^city-auth:pair\?.*&token=[A-Za-z0-9_-]{43}/);
    const line = /^ {2}(city pair accept .+)$/m.exec(run.stdout)?.[1];
    expect(line).toBe(`city pair accept '${payload}'`);
    // Oracle: a POSIX shell splits the pasted line into exactly the payload as one argument.
    const args = execFileSync(
      'sh',
      ['-c', `set -- ${line?.slice('city pair accept '.length)}; printf '%s\\n' "$#" "$1"`],
      {
        encoding: 'utf8',
      },
    );
    expect(args).toBe(`1\n${payload}\n`);
  });

  for (const [what, argument] of [
    ['a payload cut short at the &', 'city-auth:pair?v=1&uuid=0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['a payload with a truncated token', 'city-auth:pair?v=1&token=abc'],
    ['a token of the wrong length', 'A'.repeat(42)],
    ['something else entirely', 'https://example.com/'],
    ['a pairing link with a truncated token', 'https://auth.example/pair?token=abc'],
    ['a link to another page', `https://auth.example/login?token=${'A'.repeat(43)}`],
  ] as const) {
    it(`pair accept refuses ${what} before prompting, naming <token-or-payload>`, async () => {
      // Without --username and with no terminal, a prompt would be a USAGE_ERROR: the argument comes first.
      const run = await city(['pair', 'accept', argument, '--profile', 'new-machine']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error INPUT_INVALID: <token-or-payload>/);
      expect(run.stdout).toBe('');
    });
  }

  it('pair accept takes the https://.../pair?token= link of the web QR code, with its device label', async () => {
    const issued = await city(['pair', 'request', '--profile', 'paster', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    const { token } = issued.json() as { token: string };
    const link = `https://auth.example.jp/pair?${new URLSearchParams({ token, label: 'kitchen tablet' })}`;
    const accepted = await city(
      ['pair', 'accept', link, '--username', 'paster', '--password-stdin', '--profile', 'linked', '--json'],
      `${PASSWORD}\n`,
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    const { deviceId } = accepted.json() as { deviceId: string };
    const listed = await city(['devices', 'list', '--profile', 'paster', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const devices = listed.json() as
      | { deviceId: string; label?: string }[]
      | { devices: { deviceId: string; label?: string }[] };
    const list = Array.isArray(devices) ? devices : devices.devices;
    expect(list.find((device) => device.deviceId === deviceId)?.label).toBe('kitchen tablet');
  });
});
