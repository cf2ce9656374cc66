/**
 * Direct mode reads the server's configuration file as the API does: `--config <file>` or
 * CITY_CONFIG_FILE, the environment over the file, and a refusal naming the key, file and line.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, makeWorkspace, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let configFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  ws = await makeWorkspace('config-file');
  configFile = join(ws.root, 'city.env');
  await writeFile(configFile, `# the server's settings\nCITY_DATA_DIR=${ws.dataDir}\nPORT=8080\n`);
  // No CITY_DATA_DIR in the environment: the data directory comes from the file only.
  env = cleanEnv({ CITY_PROFILE_DIR: ws.profileDir, HOME: ws.root });
});
afterAll(() => ws.cleanup());

describe('city --config <file> (direct mode)', () => {
  it('register and admin users use the data directory the file names', async () => {
    const reg = await runCity(
      ['register', '--config', configFile, '--username', 'fiona', '--email', 'fiona@example.com'].concat([
        '--password-stdin',
        '--json',
      ]),
      { env, input: `${PASSWORD}\n`, cwd: ws.root },
    );
    expect(reg.code, reg.stderr).toBe(0);
    expect(existsSync(join(ws.dataDir, 'city.db'))).toBe(true);
    expect(existsSync(join(ws.root, '.city'))).toBe(false);
    const users = await runCity(['admin', 'users', '--config', configFile, '--json'], { env, cwd: ws.root });
    expect(users.code, users.stderr).toBe(0);
    expect(users.json<{ username: string }[]>().map((user) => user.username)).toEqual(['fiona']);
    const viaEnv = await runCity(['admin', 'users', '--json'], {
      env: { ...env, CITY_CONFIG_FILE: configFile },
      cwd: ws.root,
    });
    expect(viaEnv.json<{ username: string }[]>().map((user) => user.username)).toEqual(['fiona']);
  });

  it('CITY_DATA_DIR in the environment overrides the file', async () => {
    const other = join(ws.root, 'other');
    const run = await runCity(['admin', 'users', '--config', configFile, '--json'], {
      env: { ...env, CITY_DATA_DIR: other },
      cwd: ws.root,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual([]);
    expect(run.stderr).toContain(`created a new deployment`);
    expect(existsSync(join(other, 'city.db'))).toBe(true);
  });

  it('an unknown key is refused with CONFIG_INVALID naming the key, the file and the line (exit 1)', async () => {
    const bad = join(ws.root, 'bad.env');
    const empty = join(ws.root, 'never-created');
    await mkdir(join(ws.root, 'cwd'), { recursive: true });
    await writeFile(bad, `CITY_DATA_DIR=${empty}\n\nCITY_MODEL=embedded\n`);
    const run = await runCity(['admin', 'users', '--config', bad], { env, cwd: join(ws.root, 'cwd') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error CONFIG_INVALID: CITY_MODEL: unknown key: not a City Chain Auth variable (see the variables table) (${bad} line 3)`,
    );
    expect(existsSync(empty)).toBe(false);
  });

  it('a missing file is refused naming CITY_CONFIG_FILE', async () => {
    const run = await runCity(['admin', 'users', '--config', join(ws.root, 'nope.env')], {
      env,
      cwd: ws.root,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('CITY_CONFIG_FILE: cannot read');
    expect(run.stderr).toContain('(ENOENT)');
  });
});
