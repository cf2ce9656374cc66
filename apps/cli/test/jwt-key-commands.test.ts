/**
 * `city admin jwt-keys|rotate-jwt-key|retire-jwt-key` as subprocesses on one embedded data
 * directory, checked by reopening the runtime in-process: after a rotation the new key signs and a
 * token the old key signed still verifies; after the old key is retired that token is refused.
 * The waiting key-set file is written 0600 and never over another; the start that seals it audits
 * the change; the active or an unknown kid cannot be retired; a bad algorithm is a usage error.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openEmbeddedAuth } from '@city/auth-runtime';
import { isCityError } from '@city/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modeOf, PASSWORD, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[], input?: string) =>
  runCity(args, { env: ws.env, ...(input === undefined ? {} : { input }) });

interface KeyView {
  kid: string;
  algorithm: string;
  status: 'active' | 'verify-only';
}

/** The `kid` in a compact JWS header (RFC 7515 §4.1.4). */
function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    kid: string;
  };
  return header.kid;
}

async function login(profile: string): Promise<string> {
  const run = await city(['login', '--password-stdin', '--profile', profile], `${PASSWORD}\n`);
  expect(run.code, run.stderr).toBe(0);
  const tokens = JSON.parse(await readFile(join(ws.profileDir, profile, 'tokens.json'), 'utf8')) as {
    accessToken: string;
  };
  return tokens.accessToken;
}

/** Whether the deployment, opened afresh as a restarted service would, accepts `token`. */
async function verifiesAfterRestart(token: string): Promise<string | true> {
  const runtime = await openEmbeddedAuth({ dataDir: ws.dataDir });
  try {
    await runtime.auth.authenticate(token);
    return true;
  } catch (error) {
    if (isCityError(error)) return error.code;
    throw error;
  } finally {
    await runtime.close();
  }
}

async function activeKidAfterRestart(): Promise<string> {
  const runtime = await openEmbeddedAuth({ dataDir: ws.dataDir });
  try {
    return runtime.jwt.keys.active.kid;
  } finally {
    await runtime.close();
  }
}

beforeAll(async () => {
  ws = await makeWorkspace('jwt-keys');
  const reg = await city(
    [
      'register',
      '--username',
      'kenji',
      '--email',
      'kenji@example.com',
      '--password-stdin',
      '--profile',
      'kenji',
    ],
    `${PASSWORD}\n`,
  );
  expect(reg.code, reg.stderr).toBe(0);
});
afterAll(() => ws.cleanup());

describe('city admin jwt keys (tests run in order, sharing one data dir)', () => {
  let oldKid: string;
  let newKid: string;
  let oldToken: string;

  it('jwt-keys lists the one active key of a new deployment', async () => {
    const run = await city(['admin', 'jwt-keys', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const keys = run.json<KeyView[]>();
    expect(keys).toEqual([{ kid: expect.any(String), algorithm: 'EdDSA', status: 'active' }]);
    oldKid = keys[0]!.kid;
    oldToken = await login('kenji');
    expect(kidOf(oldToken)).toBe(oldKid);
    const text = await city(['admin', 'jwt-keys']);
    expect(text.stdout).toMatch(new RegExp(`^KID\\s+ALGORITHM\\s+STATUS\\n${oldKid}\\s+EdDSA\\s+active\\n$`));
  });

  it('rotate-jwt-key writes the rotated set 0600 for the next start and says to restart', async () => {
    const run = await city(['admin', 'rotate-jwt-key', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<{
      kid: string;
      algorithm: string;
      previousKid: string;
      file: string;
      keys: KeyView[];
    }>();
    newKid = result.kid;
    const file = join(ws.dataDir, 'jwt-keys.json');
    expect(result).toMatchObject({ algorithm: 'EdDSA', previousKid: oldKid, file });
    expect(newKid).not.toBe(oldKid);
    expect(result.keys).toEqual([
      { kid: newKid, algorithm: 'EdDSA', status: 'active' },
      { kid: oldKid, algorithm: 'EdDSA', status: 'verify-only' },
    ]);
    expect(await modeOf(file)).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { activeKid: string };
    expect(stored.activeKid).toBe(newKid);
  });

  it('a second change while one waits is JWT_KEYS_PENDING (exit 1) and leaves the waiting file as it was', async () => {
    const file = join(ws.dataDir, 'jwt-keys.json');
    const before = await readFile(file, 'utf8');
    for (const args of [
      ['admin', 'rotate-jwt-key'],
      ['admin', 'retire-jwt-key', oldKid],
    ]) {
      const run = await city(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(/^error JWT_KEYS_PENDING: /);
      expect(run.stderr).toContain(file);
    }
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('after a restart the new key signs and the token the old key signed still verifies', async () => {
    expect(await activeKidAfterRestart()).toBe(newKid);
    expect(await verifiesAfterRestart(oldToken)).toBe(true);
    const fresh = await login('kenji');
    expect(kidOf(fresh)).toBe(newKid);
    const audit = await city(['admin', 'audit', '--json']);
    const changes = audit
      .json<{ type: string; reason?: string; detail?: Record<string, string> }[]>()
      .filter((event) => event.reason === 'jwt_keys_replaced');
    expect(changes).toMatchObject([
      {
        type: 'admin_action',
        detail: { by: 'operator:jwt-keys.json', activeKid: newKid, added: newKid, removed: '' },
      },
    ]);
    const list = await city(['admin', 'jwt-keys', '--json']);
    expect(list.json<KeyView[]>().map((k) => [k.kid, k.status])).toEqual([
      [newKid, 'active'],
      [oldKid, 'verify-only'],
    ]);
  });

  it('retire-jwt-key refuses the active key (JWT_KEY_ACTIVE) and an unknown kid (JWT_KEY_UNKNOWN), writing nothing', async () => {
    const active = await city(['admin', 'retire-jwt-key', newKid]);
    expect(active.code).toBe(1);
    expect(active.stderr).toMatch(/^error JWT_KEY_ACTIVE: /);
    for (const kid of ['no-such-kid', '__proto__', '']) {
      const unknown = await city(['admin', 'retire-jwt-key', kid]);
      expect(unknown.code, kid).toBe(1);
      expect(unknown.stderr).toMatch(/^error JWT_KEY_UNKNOWN: /);
    }
    await expect(readFile(join(ws.dataDir, 'jwt-keys.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('retire-jwt-key warns that its sessions end; after a restart the old token is refused', async () => {
    const run = await city(['admin', 'retire-jwt-key', oldKid]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: every session whose tokens ${oldKid} signed ends`);
    expect(run.stdout).toContain(`${oldKid} retired`);
    expect(run.stdout).toContain('restart');
    expect(await verifiesAfterRestart(oldToken)).toBe('TOKEN_INVALID');
    const list = await city(['admin', 'jwt-keys', '--json']);
    expect(list.json<KeyView[]>()).toEqual([{ kid: newKid, algorithm: 'EdDSA', status: 'active' }]);
  });

  it('rotate-jwt-key --algorithm ML-DSA-65 adds a key of that algorithm', async () => {
    const run = await city(['admin', 'rotate-jwt-key', '--algorithm', 'ML-DSA-65']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^new signing key \S+ \(ML-DSA-65\); /);
    expect(run.stdout).toContain('restart one first');
    const list = await city(['admin', 'jwt-keys', '--json']);
    const keys = list.json<KeyView[]>();
    expect(keys.map((k) => [k.algorithm, k.status])).toEqual([
      ['ML-DSA-65', 'active'],
      ['EdDSA', 'verify-only'],
    ]);
    expect(kidOf(await login('kenji'))).toBe(keys[0]!.kid);
  });

  it('refuses a bad algorithm and a missing kid (exit 2) before touching anything', async () => {
    for (const args of [
      ['admin', 'rotate-jwt-key', '--algorithm', 'HS256'],
      ['admin', 'rotate-jwt-key', '--algorithm', 'none'],
      ['admin', 'retire-jwt-key'],
    ]) {
      const run = await city(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error USAGE_ERROR: /);
    }
  });

  it('removing the waiting file drops the change', async () => {
    const before = await city(['admin', 'jwt-keys', '--json']);
    const run = await city(['admin', 'rotate-jwt-key']);
    expect(run.code, run.stderr).toBe(0);
    await rm(join(ws.dataDir, 'jwt-keys.json'));
    const after = await city(['admin', 'jwt-keys', '--json']);
    expect(after.json()).toEqual(before.json());
  });
});
