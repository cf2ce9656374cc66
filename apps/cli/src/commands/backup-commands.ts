/**
 * `city backup <dir>` and `city restore <backup dir>` (administrators, embedded SQLite deployment):
 * a consistent copy of a data directory while the API keeps serving, and its restore into an empty
 * directory.
 *
 * The records are copied with SQLite's `VACUUM INTO`, which reads one snapshot in a single read
 * transaction: writers of the running API go on (WAL) and the copy holds every commit before the
 * snapshot and none after. The key vault (`keyvault/`: the wrapped master key, the data keys, and
 * the CA and JWT keys sealed under them), the root key when it lives in the data directory, and the
 * notification outbox are copied as files. A manifest lists every file with its SHA-256;
 * restore checks all of them, SQLite's integrity check and that the KEM key opens the vault before
 * the target directory appears (it is assembled beside the target and renamed into place), so a
 * failed backup or restore leaves nothing half-written.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addOutputOptions, type CommonOptions, dataDirFor, printResult } from '../command-context.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';

/** The manifest's `format`, and the version restore understands. */
const BACKUP_FORMAT = 'city-chain-auth-backup';
const BACKUP_VERSION = 1;
const MANIFEST = 'manifest.json';
const DATABASE = 'city.db';
/** The root key (KEM private key) when it lives in the data directory: the one secret in the clear. */
const KEM_KEY_FILE = 'keyvault-kem.key';
/** Plain key files of a directory no API has started on since they were sealed; copied when present. */
const LEGACY_SECRET_FILES = ['ca.pem', 'ca-key.pem', 'jwt-keys.json'] as const;
const SECRET_DIRS = ['keyvault'] as const;
/** What a complete backup holds: the records, the vault and the sealed CA and JWT keys. */
const REQUIRED_FILES = [
  DATABASE,
  'keyvault/master.capsule',
  'keyvault/service-ca.capsule',
  'keyvault/service-jwt.capsule',
] as const;
const OUTBOX_DIR = 'outbox';

interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Manifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  readonly source: string;
  readonly store: 'sqlite';
  readonly includesKemKey: boolean;
  readonly files: readonly ManifestFile[];
}

interface BackupOptions extends CommonOptions {
  readonly kemKey?: boolean;
}

interface RestoreOptions extends CommonOptions {
  readonly kemKey?: string;
}

/**
 * Registers `backup` and `restore` on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * backupCommands(program, io);
 * ```
 */
export function backupCommands(program: Command, io: CliIo): void {
  const backup = program
    .command('backup')
    .description('copy the embedded data directory (records, secrets, outbox) while the API runs')
    .argument('<dir>', 'new backup directory (must not exist or be empty)')
    .option('--data-dir <dir>', 'data directory to back up (env CITY_DATA_DIR, default ./.city)')
    .option('--no-kem-key', `leave out ${KEM_KEY_FILE} (keep it elsewhere; restore then needs --kem-key)`);
  addOutputOptions(backup);
  backup
    .addHelpText(
      'after',
      `
The records are copied from one SQLite snapshot (VACUUM INTO): the running API keeps serving and
writing. Every file is listed in manifest.json with its SHA-256. The CA and JWT keys are in it only
sealed under the key vault; the KEM private key (the root key) is included when it lives in the data
directory, unless --no-kem-key: with it, whoever holds the backup can read the personal data and sign
tokens, so store it like the live secrets — or keep the root key elsewhere (CITY_ROOT_KEY_FILE) and the
backup exposes neither. Only the embedded SQLite store (city.db) is supported.

Examples:
  $ city backup /backups/city-$(date +%F)
  $ city backup --data-dir /var/lib/city --no-kem-key /backups/city-$(date +%F) --json`,
    )
    .action(async (dir: string, options: BackupOptions) => {
      const source = dataDirFor(io, options);
      const target = resolve(dir);
      const manifest = await withSpinner(io, 'backing up', () =>
        createBackup(source, target, { includeKemKey: options.kemKey !== false }),
      );
      const data = summary(manifest, target);
      printResult(io, options, data, () =>
        [
          `backed up ${source} to ${target}`,
          `files:   ${data.files}, ${data.bytes} bytes`,
          `kem key: ${manifest.includesKemKey ? 'included' : `left out (restore with --kem-key <file>)`}`,
        ].join('\n'),
      );
    });

  const restore = program
    .command('restore')
    .description('restore a backup into a new, empty data directory (checked before it appears)')
    .argument('<backup-dir>', 'a directory written by city backup')
    .option(
      '--data-dir <dir>',
      'data directory to create (env CITY_DATA_DIR, default ./.city); must not exist or be empty',
    )
    .option('--kem-key <file>', `the KEM private key, for a backup made with --no-kem-key`);
  addOutputOptions(restore);
  restore
    .addHelpText(
      'after',
      `
Checks every file against the manifest, the database with SQLite's integrity check and that the KEM
key opens the key vault, then moves the restored directory into place; nothing is written to the
target before all checks pass. Start the API on the restored directory afterwards.

Examples:
  $ city restore /backups/city-2026-12-01 --data-dir /var/lib/city
  $ city restore /backups/city-2026-12-01 --data-dir /var/lib/city --kem-key /secure/kem.key --json`,
    )
    .action(async (backupDir: string, options: RestoreOptions) => {
      const target = dataDirFor(io, options);
      const manifest = await withSpinner(io, 'restoring', () =>
        restoreBackup(resolve(backupDir), target, {
          ...(options.kemKey === undefined ? {} : { kemKeyFile: resolve(options.kemKey) }),
        }),
      );
      const data = summary(manifest, target);
      printResult(io, options, data, () =>
        [
          `restored the backup of ${manifest.createdAt} into ${target}`,
          `files:   ${data.files}, ${data.bytes} bytes (checked)`,
        ].join('\n'),
      );
    });
}

function summary(manifest: Manifest, dir: string) {
  return {
    dir,
    createdAt: manifest.createdAt,
    source: manifest.source,
    store: manifest.store,
    includesKemKey: manifest.includesKemKey,
    files: manifest.files.length,
    bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
  };
}

async function createBackup(
  source: string,
  target: string,
  options: { includeKemKey: boolean },
): Promise<Manifest> {
  if (!(await isFile(join(source, DATABASE)))) {
    const dynalite = await isDirectory(join(source, 'dynamodb'));
    throw new CliError(
      dynalite ? 'INPUT_INVALID' : 'FILE_NOT_FOUND',
      dynalite
        ? `${source} uses the dynalite store; city backup copies the embedded SQLite store (city.db) only`
        : `${source} holds no ${DATABASE}: not an embedded data directory`,
    );
  }
  const staging = await stagingDirFor(target);
  try {
    const files: ManifestFile[] = [];
    // Secrets first: a key created after this point cannot be needed by the snapshot taken below.
    // The root key is copied when it is in the data directory; kept elsewhere (CITY_ROOT_KEY_FILE),
    // it stays out of the backup and restore asks for it.
    const withKemKey = options.includeKemKey && (await isFile(join(source, KEM_KEY_FILE)));
    for (const name of [...LEGACY_SECRET_FILES, ...(withKemKey ? [KEM_KEY_FILE] : [])]) {
      if (await isFile(join(source, name))) files.push(await copyPrivate(join(source, name), staging, name));
    }
    for (const dir of SECRET_DIRS) files.push(...(await copyTree(join(source, dir), staging, dir)));
    files.push(...(await copyTree(join(source, OUTBOX_DIR), staging, OUTBOX_DIR)));
    await snapshotDatabase(join(source, DATABASE), join(staging, DATABASE));
    files.push(await describeFile(staging, DATABASE));
    const copied = new Set(files.map((file) => file.path));
    const sealed = REQUIRED_FILES.every((path) => copied.has(path));
    const plain = LEGACY_SECRET_FILES.every((path) => copied.has(path));
    if (!sealed && !plain)
      throw new CliError(
        'FILE_NOT_FOUND',
        `${source} holds no complete key vault: not a complete data directory`,
      );
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      source,
      store: 'sqlite',
      includesKemKey: withKemKey,
      files: files.sort((a, b) => a.path.localeCompare(b.path)),
    };
    await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await moveIntoPlace(staging, target);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function restoreBackup(
  backupDir: string,
  target: string,
  options: { kemKeyFile?: string },
): Promise<Manifest> {
  const manifest = await readManifest(backupDir);
  if (!manifest.includesKemKey && options.kemKeyFile === undefined)
    throw new CliError(
      'USAGE_ERROR',
      `the backup was made without ${KEM_KEY_FILE}: pass --kem-key <file> with the deployment's KEM private key`,
    );
  for (const file of manifest.files) {
    const actual = await describeFile(backupDir, file.path).catch((cause: unknown) => {
      throw new CliError('INPUT_INVALID', `the backup is incomplete: ${file.path} cannot be read`, { cause });
    });
    if (actual.sha256 !== file.sha256 || actual.bytes !== file.bytes)
      throw new CliError('INPUT_INVALID', `the backup is damaged: ${file.path} does not match its manifest`);
  }
  const staging = await stagingDirFor(target);
  try {
    for (const file of manifest.files) await copyPrivate(join(backupDir, file.path), staging, file.path);
    if (options.kemKeyFile !== undefined) {
      if (!(await isFile(options.kemKeyFile)))
        throw new CliError('FILE_NOT_FOUND', `cannot read the KEM private key ${options.kemKeyFile}`);
      await copyPrivate(options.kemKeyFile, staging, KEM_KEY_FILE);
    }
    await mkdir(join(staging, OUTBOX_DIR), { recursive: true, mode: 0o700 });
    await checkDatabase(join(staging, DATABASE));
    await checkKemKey(staging);
    await moveIntoPlace(staging, target);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function readManifest(backupDir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(backupDir, MANIFEST), 'utf8');
  } catch (cause) {
    throw new CliError('FILE_NOT_FOUND', `${backupDir} holds no ${MANIFEST}: not a city backup`, { cause });
  }
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(text) as Partial<Manifest>;
  } catch (cause) {
    throw new CliError('INPUT_INVALID', `${join(backupDir, MANIFEST)} is not JSON`, { cause });
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION)
    throw new CliError(
      'INPUT_INVALID',
      `${join(backupDir, MANIFEST)} is not a ${BACKUP_FORMAT} version ${BACKUP_VERSION} manifest`,
    );
  const files = Array.isArray(manifest.files) ? manifest.files : [];
  const names = new Set<string>();
  for (const file of files) {
    // A manifest naming paths outside the backup (../, absolute) would copy arbitrary files.
    if (
      typeof file?.path !== 'string' ||
      typeof file.sha256 !== 'string' ||
      typeof file.bytes !== 'number' ||
      !isInside(backupDir, file.path)
    )
      throw new CliError('INPUT_INVALID', `${join(backupDir, MANIFEST)} lists an invalid file entry`);
    names.add(file.path);
  }
  const missing = (list: readonly string[]) => list.find((required) => !names.has(required));
  // A backup of a directory not yet sealed holds the plain key files instead of the sealed capsules.
  const absent =
    missing(REQUIRED_FILES) === undefined ? undefined : missing([DATABASE, ...LEGACY_SECRET_FILES]);
  if (absent !== undefined)
    throw new CliError('INPUT_INVALID', `the backup is incomplete: the manifest lists no ${absent}`);
  return { ...(manifest as Manifest), files };
}

function isInside(root: string, path: string): boolean {
  if (path === '' || path.includes('\0')) return false;
  const rel = relative(root, resolve(root, path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** One consistent copy of the database, taken while other processes may be writing. */
async function snapshotDatabase(from: string, to: string): Promise<void> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(from, { timeout: 10_000 });
  try {
    db.prepare('VACUUM INTO ?').run(to);
  } finally {
    db.close();
  }
  await chmod(to, 0o600);
}

async function checkDatabase(path: string): Promise<void> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path, { readOnly: true });
  let result: string;
  try {
    const rows = db.prepare('PRAGMA integrity_check').all();
    result = rows.map((row) => String(Object.values(row)[0])).join('; ');
  } finally {
    db.close();
  }
  if (result !== 'ok')
    throw new CliError('INPUT_INVALID', `the backup's ${DATABASE} fails SQLite's integrity check: ${result}`);
}

async function checkKemKey(dir: string): Promise<void> {
  const kv = await import('@city/ntru-keyvault');
  const privateKey = await kv.loadKemPrivateKey({ file: join(dir, KEM_KEY_FILE) });
  const result = await kv.keyvaultUnwrapCheck({
    store: new kv.FileCapsuleStore(join(dir, 'keyvault')),
    privateKey,
  });
  if (!result.ok) throw new CliError('KEYVAULT_CHECK_FAILED', `${result.code}: ${result.message}`);
}

/** A fresh directory beside `target` on the same file system, so the final rename is atomic. */
async function stagingDirFor(target: string): Promise<string> {
  if (await isNonEmptyDirectory(target))
    throw new CliError('FILE_EXISTS', `${target} exists and is not empty; choose a new directory`);
  if ((await exists(target)) && !(await isDirectory(target)))
    throw new CliError('FILE_EXISTS', `${target} exists and is not a directory`);
  const staging = join(dirname(target), `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await mkdir(staging, { mode: 0o700 });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError('FILE_NOT_WRITABLE', `cannot create a directory beside ${target} (${code})`, {
      cause,
    });
  }
  return staging;
}

async function moveIntoPlace(staging: string, target: string): Promise<void> {
  // An empty target directory is allowed; rename needs it gone (and fails if someone filled it meanwhile).
  if (await isDirectory(target)) await rmdir(target);
  await rename(staging, target);
}

async function copyPrivate(from: string, toDir: string, name: string): Promise<ManifestFile> {
  const to = join(toDir, name);
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  await copyFile(from, to);
  await chmod(to, 0o600);
  return describeFile(toDir, name);
}

/** Copies every regular file under `from`; a missing directory copies nothing. */
async function copyTree(from: string, toDir: string, prefix: string): Promise<ManifestFile[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: ManifestFile[] = [];
  for (const entry of entries) {
    const name = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await copyTree(join(from, entry.name), toDir, name)));
    else if (entry.isFile()) {
      try {
        files.push(await copyPrivate(join(from, entry.name), toDir, name));
      } catch (error) {
        // An outbox message delivered (and removed) while we copied is no longer pending.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return files;
}

async function describeFile(dir: string, name: string): Promise<ManifestFile> {
  const content = await readFile(join(dir, name));
  return { path: name, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isNonEmptyDirectory(path: string): Promise<boolean> {
  if (!(await isDirectory(path))) return false;
  return (await readdir(path)).length > 0;
}
