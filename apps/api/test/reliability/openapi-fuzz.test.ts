/**
 * OpenAPI fuzzing: schemathesis (PyPI) generates requests from `/openapi.json` of a
 * running API and checks that no answer is a server error and every answer matches the
 * documented response schema. Runs with a fixed seed and a bounded number of examples per
 * operation; authenticated operations get a real bearer token.
 *
 * Needs the `st` command: `pip install schemathesis`. Outside CI the file skips without it; in
 * CI (CI=true) a missing `st` fails the test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, openEmbeddedApi, registerUser, sender, type Tokens } from '../support/reliability-harness.js';

const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const stVersion = spawnSync('st', ['--version'], { encoding: 'utf8', timeout: 30_000 });
const stAvailable = stVersion.error === undefined && stVersion.status === 0;
const MAX_EXAMPLES = Number(process.env.CITY_FUZZ_MAX_EXAMPLES ?? 50);

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe.skipIf(!stAvailable && !inCi)(
  'OpenAPI fuzzing with schemathesis (needs pip install schemathesis)',
  () => {
    let api: Awaited<ReturnType<typeof openEmbeddedApi>>;
    let tokens: Tokens;
    let baseUrl: string;
    let reportDir: string;

    beforeAll(async () => {
      api = await openEmbeddedApi({
        core: {
          lockout: { accountFreeAttempts: 1_000_000, ipMaxFailures: 10_000_000, alertThreshold: 1_000_000 },
        },
      });
      baseUrl = await api.listen();
      const user = await registerUser(sender(api.app));
      tokens = await login(sender(api.app), user);
      reportDir = mkdtempSync(join(tmpdir(), 'city-schemathesis-'));
    });

    afterAll(async () => {
      await api?.close();
      if (reportDir !== undefined) rmSync(reportDir, { recursive: true, force: true });
    });

    it('no server errors and every response conforms to the documented schema', async () => {
      expect(stAvailable, 'schemathesis is required in CI: pip install schemathesis').toBe(true);
      const { code, output } = await run(
        'st',
        [
          'run',
          `${baseUrl}/openapi.json`,
          '--checks',
          'not_a_server_error,response_schema_conformance',
          '--max-examples',
          String(MAX_EXAMPLES),
          '--seed',
          '1',
          '--phases',
          'examples,coverage,fuzzing',
          '--workers',
          '2',
          '--request-timeout',
          '20',
          '--suppress-health-check',
          'all',
          '--exclude-path',
          '/logout',
          '--header',
          `Authorization: Bearer ${tokens.accessToken}`,
          '--report',
          'junit',
          '--report-dir',
          reportDir,
        ],
        { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' },
      );
      // The whole report on failure (each failing case with its curl reproduction), the summary otherwise.
      if (code !== 0) console.error(output);
      else console.log(output.slice(output.indexOf('SUMMARY')));
      expect(code, output.slice(-6000)).toBe(0);
      // The API is still alive after the run.
      const health = await fetch(`${baseUrl}/health`);
      expect(health.status).toBe(200);
    }, 300_000);
  },
);
