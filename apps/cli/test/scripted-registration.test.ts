/**
 * Scripted registration, as the README shows it: a bash loop registers 20 users through the CLI
 * (one data dir, one profile each), then logs in as each; stdout stays machine-readable and stderr
 * stays empty (no prompts, no spinner) when nothing is a terminal.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeWorkspace, modeOf } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
beforeAll(async () => {
  ws = await makeWorkspace('scripted');
});
afterAll(() => ws.cleanup());

const SCRIPT = `
set -euo pipefail
city() { "$NODE" "$CITY_BIN" "$@"; }
for i in $(seq -w 1 20); do
  printf '%s\\n' "Scripted-Pass-$i-Harbour" |
    city register --username "user$i" --email "user$i@example.com" --password-stdin \\
      --profile "user$i" --json > "$OUT/register-$i.json"
done
for i in $(seq -w 1 20); do
  printf '%s\\n' "Scripted-Pass-$i-Harbour" | city login --profile "user$i" --password-stdin --json > "$OUT/login-$i.json"
done
`;

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('scripted registration from a shell loop', () => {
  it('registers 20 users, then logs in as each', { timeout: 600_000 }, async () => {
    const run = await bash(SCRIPT, { ...ws.env, NODE: process.execPath, CITY_BIN: BIN, OUT: ws.root });
    expect(run.code, run.stderr).toBe(0);
    // The first register creates the deployment in the empty data directory and says so, once.
    expect(run.stderr).toBe(
      `created a new deployment (CA, JWT signing key, key vault, database) in ${resolve(ws.dataDir)}\n`,
    );
    const uuids = new Set<string>();
    for (let n = 1; n <= 20; n++) {
      const i = String(n).padStart(2, '0');
      const registered = JSON.parse(await readFile(join(ws.root, `register-${i}.json`), 'utf8'));
      const loggedIn = JSON.parse(await readFile(join(ws.root, `login-${i}.json`), 'utf8'));
      expect(registered.username).toBe(`user${i}`);
      expect(loggedIn).toMatchObject({
        uuid: registered.uuid,
        username: `user${i}`,
        deviceId: registered.deviceId,
      });
      uuids.add(registered.uuid);
      expect(await modeOf(join(ws.profileDir, `user${i}`, 'tokens.json'))).toBe(0o600);
    }
    expect(uuids.size).toBe(20);
  });
});
