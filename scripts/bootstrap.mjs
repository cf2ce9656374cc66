#!/usr/bin/env node
// `npm start` / `npm test` (and `pnpm start` / `pnpm test`) from a fresh clone.
//
// Runs under any Node >= 18 with no dependencies. It makes sure Node >= 24.7 and pnpm are available
// (installing them from the npm registry into ./.tools, as scripts/setup-toolchain.sh does, when the
// Node that started it is older), installs the workspace with the frozen lockfile when the lockfile
// changed since the last install, then hands over to Node 24:
//   start  build the API and its packages, then run the API (embedded storage in ./.city)
//   test   the whole suite as CI runs it (`pnpm run test:all`: build, typecheck, tests, lint)
// A second run with nothing changed skips the installation (a stamp in node_modules records it) and
// the build is served from turbo's cache, so it starts in seconds.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, '.tools');
const TOOLS_BIN = join(TOOLS, 'node_modules', '.bin');
const MIN_NODE = [24, 7];
const STAMP = join(ROOT, 'node_modules', '.city-install-stamp');
const PNPM_VERSION = readPnpmVersion();

const USAGE = 'usage: node scripts/bootstrap.mjs start|test|setup [-- args for the command]';

function log(message) {
  process.stderr.write(`bootstrap: ${message}\n`);
}

function fail(message) {
  log(`error: ${message}`);
  process.exit(1);
}

function readPnpmVersion() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(manifest.packageManager ?? '');
  return match ? match[1] : '10';
}

function nodeVersionOk(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The child environment: npm's own npm_* variables removed (pnpm would read them as its config). */
function childEnv(extraPath) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') && key !== 'npm_config_registry') continue;
    env[key] = value;
  }
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH') ?? 'PATH';
  const entries = (env[pathKey] ?? '').split(delimiter).filter((entry) => entry !== '');
  // npm puts each package's node_modules/.bin first; the toolchain goes before them.
  env[pathKey] = [...extraPath, ...entries.filter((entry) => !extraPath.includes(entry))].join(delimiter);
  return env;
}

function which(command, env) {
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH') ?? 'PATH';
  for (const dir of (env[pathKey] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function versionOf(executable, env) {
  const result = spawnSync(executable, ['--version'], { env, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  return result.status ?? 1;
}

/** Node >= 24.7 and pnpm: already on PATH, already in .tools, or installed into .tools now. */
function ensureToolchain() {
  const current = nodeVersionOk(process.version) ? [dirname(process.execPath)] : [];
  let env = childEnv(existsSync(TOOLS_BIN) ? [TOOLS_BIN, ...current] : current);
  let node = which('node', env);
  let pnpm = which('pnpm', env);
  const nodeOk = node !== undefined && nodeVersionOk(versionOf(node, env) ?? '0');
  if (!nodeOk || pnpm === undefined) {
    log(`installing Node 24 and pnpm ${PNPM_VERSION} into ${TOOLS} (the system Node is left alone)...`);
    mkdirSync(TOOLS, { recursive: true });
    // The npm that started us (npm_execpath; under pnpm it names pnpm) or the npm on PATH.
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the bootstrap, which turbo never runs
    const npmCli = process.env.npm_execpath ?? '';
    const [npm, npmArgs] = /npm-cli\.js$/.test(npmCli)
      ? [process.execPath, [npmCli]]
      : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
    const status = run(
      npm,
      [
        ...npmArgs,
        'install',
        '--prefix',
        TOOLS,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        'node@24',
        `pnpm@${PNPM_VERSION}`,
      ],
      childEnv([]),
    );
    if (status !== 0) fail(`installing Node 24 and pnpm into ${TOOLS} failed (npm exited ${status})`);
    env = childEnv([TOOLS_BIN]);
    node = which('node', env);
    pnpm = which('pnpm', env);
  }
  const nodeVersion = node === undefined ? undefined : versionOf(node, env);
  if (nodeVersion === undefined || !nodeVersionOk(nodeVersion))
    fail(`Node >= ${MIN_NODE.join('.')} is required and could not be installed into ${TOOLS}`);
  if (pnpm === undefined) fail(`pnpm could not be installed into ${TOOLS}`);
  const pnpmVersion = versionOf(pnpm, env);
  return { env, node, pnpm, nodeVersion, pnpmVersion };
}

/** What the installed node_modules were made from. */
function installFingerprint(toolchain) {
  const hash = createHash('sha256');
  for (const file of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json']) {
    hash.update(`${file}\0`);
    hash.update(existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file)) : '');
  }
  hash.update(`node ${toolchain.nodeVersion}\0pnpm ${toolchain.pnpmVersion}`);
  return hash.digest('hex');
}

function ensureInstalled(toolchain) {
  const fingerprint = installFingerprint(toolchain);
  const installed =
    existsSync(join(ROOT, 'node_modules', '.modules.yaml')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8').trim() === fingerprint;
  if (installed) return;
  log(`installing dependencies (pnpm ${toolchain.pnpmVersion}, node ${toolchain.nodeVersion})...`);
  const status = run(toolchain.pnpm, ['install', '--frozen-lockfile'], toolchain.env);
  if (status !== 0) fail(`pnpm install --frozen-lockfile exited ${status}`);
  writeFileSync(STAMP, `${fingerprint}\n`);
}

/** Runs the API in the foreground on Node 24, passing signals on, and exits with its status. */
function startApi(toolchain, args) {
  const status = run(
    toolchain.pnpm,
    ['exec', 'turbo', 'run', 'build', '--filter', '@city/api...', '--output-logs=errors-only'],
    toolchain.env,
  );
  if (status !== 0) fail(`the build failed (turbo exited ${status})`);
  // `pnpm start` uses every core on the stores that allow it (the embedded SQLite store) unless
  // CITY_WORKERS says otherwise; the server resolves `auto` to 1 for the others.
  const env = { ...toolchain.env, CITY_WORKERS: toolchain.env.CITY_WORKERS || 'auto' };
  const child = spawn(toolchain.node, [join(ROOT, 'apps', 'api', 'dist', 'server.js'), ...args], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  // `npm start` runs us under `sh -c`; a SIGTERM sent to npm stops npm and that shell but never
  // reaches us, so losing the parent is taken as the signal to stop the server too.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) child.kill('SIGTERM');
  }, 500);
  watch.unref();
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
  });
}

function main() {
  const [command, ...rest] = process.argv.slice(2);
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  if (command !== 'start' && command !== 'test' && command !== 'setup') fail(USAGE);
  const toolchain = ensureToolchain();
  ensureInstalled(toolchain);
  if (command === 'setup') {
    log(`ready: node ${toolchain.nodeVersion}, pnpm ${toolchain.pnpmVersion}`);
    return;
  }
  if (command === 'start') {
    startApi(toolchain, args);
    return;
  }
  process.exit(run(toolchain.pnpm, ['run', 'test:all', ...args], toolchain.env));
}

main();
