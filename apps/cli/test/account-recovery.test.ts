/**
 * `city register` prints the recovery codes once with a warning to store them; `city recover`
 * adds a new machine with the password and one code (each works once); `city recovery-codes
 * status|regenerate` count and replace them from a logged-in device. Subprocesses in direct mode
 * on one data directory (tests run in order).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

beforeAll(async () => {
  ws = await makeWorkspace('recovery');
});
afterAll(() => ws.cleanup());

describe('account recovery from the CLI (tests run in order, sharing one data dir)', () => {
  let codes: string[] = [];

  it('register --json returns ten codes (stdout stays pure JSON); the text output shows them with the warning', async () => {
    const reg = await city(
      [
        'register',
        '--username',
        'rita',
        '--email',
        'rita@example.com',
        '--password-stdin',
        '--profile',
        'rita',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(reg.code, reg.stderr).toBe(0);
    codes = reg.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(reg.stderr).not.toMatch(/recovery codes/);

    const text = await city(
      ['register', '--username', 'sam', '--email', 'sam@example.com', '--password-stdin', '--profile', 'sam'],
      `${PASSWORD}\n`,
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/recovery codes: shown only this once\. Store them offline/);
    expect(text.stdout.match(/^ {2}[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/gm)).toHaveLength(10);
  });

  it('recover adds this machine with the password and a code; the new device logs in; the code then fails', async () => {
    const run = await city(
      [
        'recover',
        '--username',
        'rita',
        '--code',
        codes[0] as string,
        '--password-stdin',
        '--profile',
        'rita-new',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ recoveryCodesRemaining: 9, keySource: 'local' });
    const login = await city(['login', '--password-stdin', '--profile', 'rita-new'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const devices = await city(['devices', 'list', '--profile', 'rita-new', '--json']);
    expect(devices.json<{ status: string }[]>().filter((d) => d.status === 'active')).toHaveLength(2);

    const again = await city(
      [
        'recover',
        '--username',
        'rita',
        '--code',
        codes[0] as string,
        '--password-stdin',
        '--profile',
        'rita-again',
      ],
      `${PASSWORD}\n`,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error INVALID_CREDENTIALS: /);
    const malformed = await city(
      ['recover', '--username', 'rita', '--code', 'not-a-code', '--password-stdin', '--profile', 'rita-bad'],
      `${PASSWORD}\n`,
    );
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toMatch(/VALIDATION_FAILED/);
    expect(malformed.stderr).toMatch(/recovery_code/);
  });

  it('recovery-codes status counts; regenerate replaces the set and the old codes stop working', async () => {
    const status = await city(['recovery-codes', 'status', '--profile', 'rita-new']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^9 of 10 recovery codes unused/);
    const fresh = await city(['recovery-codes', 'regenerate', '--profile', 'rita-new', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const next = fresh.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(next).toHaveLength(10);
    const old = await city(
      [
        'recover',
        '--username',
        'rita',
        '--code',
        codes[1] as string,
        '--password-stdin',
        '--profile',
        'rita-old',
      ],
      `${PASSWORD}\n`,
    );
    expect(old.code).toBe(1);
    const ok = await city(
      [
        'recover',
        '--username',
        'rita',
        '--code',
        next[0] as string,
        '--password-stdin',
        '--profile',
        'rita-3',
      ],
      `${PASSWORD}\n`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/recovery codes left: 9/);
  });
});
