#!/usr/bin/env node
// Packs the `city` command as one installable tarball: `npm i -g ./city-cli-<version>.tgz` works
// offline, from any directory, without the workspace and without the @city packages on a registry.
//
// `pnpm deploy --prod` gives the CLI with its production dependencies (hoisted, real directories);
// the workspace:* specifiers in it become the packed versions (as `pnpm pack` rewrites them), and
// every dependency is bundled (bundleDependencies), so the tarball carries its whole runtime graph
// and installs without a registry. Needs Node >= 24.7 and pnpm
// on PATH (`. scripts/setup-toolchain.sh`) and a built workspace (`pnpm build`).
//
// Usage: node scripts/pack-cli.mjs <output dir>   → prints the tarball's path
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? '.');
const work = mkdtempSync(join(tmpdir(), 'city-pack-cli-'));
const deployed = join(work, 'cli');

try {
  execFileSync(
    'pnpm',
    ['--filter', '@city/cli', 'deploy', '--prod', '--legacy', '--config.node-linker=hoisted', deployed],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const versions = new Map();
  const cityModules = join(deployed, 'node_modules', '@city');
  for (const name of readdirSync(cityModules)) {
    const manifest = JSON.parse(readFileSync(join(cityModules, name, 'package.json'), 'utf8'));
    versions.set(manifest.name, manifest.version);
  }
  const pin = (deps) => {
    if (deps === undefined) return undefined;
    const pinned = {};
    for (const [name, spec] of Object.entries(deps)) {
      if (!spec.startsWith('workspace:')) pinned[name] = spec;
      else if (versions.has(name)) pinned[name] = versions.get(name);
    }
    return pinned;
  };
  const rewrite = (file, bundle) => {
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.dependencies = pin(manifest.dependencies);
    manifest.peerDependencies = pin(manifest.peerDependencies);
    delete manifest.devDependencies;
    delete manifest.scripts;
    if (bundle) manifest.bundleDependencies = Object.keys(manifest.dependencies ?? {});
    // The deployed workspace packages may be hard links to the workspace's own files: replace, never edit.
    rmSync(file);
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  };
  for (const name of readdirSync(cityModules)) rewrite(join(cityModules, name, 'package.json'), false);
  rewrite(join(deployed, 'package.json'), true);
  // pnpm's own bookkeeping is not part of the package.
  for (const file of ['.modules.yaml', '.bin', '.pnpm-workspace-state-v1.json'])
    rmSync(join(deployed, 'node_modules', file), { recursive: true, force: true });
  // npm pack stops with "Exit handler never called" on this bundled tree (npm 11), so the tarball
  // is written as npm writes one: a gzipped tar of `package/` (GNU tar).
  const manifest = JSON.parse(readFileSync(join(deployed, 'package.json'), 'utf8'));
  const tarball = join(out, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
  renameSync(deployed, join(work, 'package'));
  // pnpm links identical files from its store; npm's extractor skips hard-link entries, so each file
  // is stored as itself. --owner/--group keep the build machine's users out of the archive.
  execFileSync(
    'tar',
    [
      '--hard-dereference',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-czf',
      tarball,
      '-C',
      work,
      'package',
    ],
    { stdio: 'inherit' },
  );
  process.stdout.write(`${tarball}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
