/**
 * `city keyvault init|status|rotate-kem|unwrap --check` (administrators): the post-quantum wrapped
 * master key of the data directory, through @city/ntru-keyvault's command hooks and a file capsule
 * store (`<data dir>/keyvault` unless `--store-dir`).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isCityError } from '@city/errors';
import { DEFAULT_KEM_ALGORITHM, KEM_ALGORITHMS, KEM_PRIVATE_KEY_ENV } from '@city/ntru-keyvault';
import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { addOutputOptions, type CommonOptions, dataDirFor, printResult } from '../command-context.js';
import { type CliIo, withSpinner } from '../lib/_terminal.js';

/**
 * keyvaultInit leaves nothing behind when a file cannot be written; this names the file for the
 * user as the CLI's other output paths do: the key file (`FILE_EXISTS`, `FILE_NOT_WRITABLE`) or
 * the capsule directory (`FILE_NOT_WRITABLE`).
 */
function initFileError(error: unknown, keyOut: string | undefined, store: string): unknown {
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (keyOut !== undefined && isCityError(error) && error.code === 'INVALID_ARGUMENT' && cause?.code) {
    return cause.code === 'EEXIST'
      ? new CliError('FILE_EXISTS', `${keyOut} exists already and is not overwritten`, { cause: error })
      : new CliError('FILE_NOT_WRITABLE', `cannot write ${keyOut} (${cause.code}); nothing was written`, {
          cause: error,
        });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (!isCityError(error) && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new CliError(
      'FILE_NOT_WRITABLE',
      `cannot write the key vault in ${store} (${code}); nothing was written`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** File name of the KEM private key of the embedded deployment (@city/auth-runtime). */
const EMBEDDED_KEM_KEY_FILE = 'keyvault-kem.key';

interface StoreOptions extends CommonOptions {
  readonly storeDir?: string;
}

interface KeyOptions extends StoreOptions {
  readonly key?: string;
}

/**
 * Registers the `keyvault` commands on `program`.
 *
 * @throws never
 * @example
 * ```ts
 * keyvaultCommand(program, io);
 * ```
 */
export function keyvaultCommand(program: Command, io: CliIo): void {
  const keyvault = program
    .command('keyvault')
    .description('administer the KEM-wrapped master key that encrypts personal data at rest')
    .addHelpText(
      'after',
      `
Examples:
  $ city keyvault init --key-out /secure/kem.key
  $ city keyvault status
  $ city keyvault unwrap --check --key /secure/kem.key
  $ city keyvault rotate-kem --key /secure/kem.key --new-key-out /secure/kem.next.key`,
    );

  const withStore = (command: Command): Command => {
    command
      .option('--data-dir <dir>', 'data directory (env CITY_DATA_DIR, default ./.city)')
      .option('--store-dir <dir>', 'capsule directory (default <data dir>/keyvault)');
    return addOutputOptions(command);
  };
  const keyOption = (command: Command): Command =>
    command.option(
      '--key <file>',
      `KEM private key file (default: env ${KEM_PRIVATE_KEY_ENV}, else <data dir>/${EMBEDDED_KEM_KEY_FILE})`,
    );

  const init = withStore(
    keyvault
      .command('init')
      .description('create the master key and wrap it with a new KEM key pair (refuses if one exists)')
      .addOption(
        new Option('--alg <algorithm>', 'KEM algorithm')
          .choices(KEM_ALGORITHMS)
          .default(DEFAULT_KEM_ALGORITHM),
      )
      .option('--key-out <file>', 'write the KEM private key here (0600); without it it is printed once'),
  );
  init
    .addHelpText(
      'after',
      `
Keep the KEM private key offline: whoever holds it and the capsule can read the data.

Examples:
  $ city keyvault init --key-out kem.key
  $ city keyvault init --alg x25519+ml-kem-768 --key-out kem.key --json`,
    )
    .action(async (options: StoreOptions & { alg?: string; keyOut?: string }) => {
      const kv = await import('@city/ntru-keyvault');
      const store = storeDir(io, options);
      const keyOut = options.keyOut === undefined ? undefined : resolve(options.keyOut);
      const result = await withSpinner(io, 'generating the KEM key pair', () =>
        kv
          .keyvaultInit({
            store: new kv.FileCapsuleStore(store),
            ...(options.alg === undefined
              ? {}
              : { algorithm: options.alg as (typeof KEM_ALGORITHMS)[number] }),
            ...(keyOut === undefined ? {} : { privateKeyFile: keyOut }),
          })
          .catch((error: unknown) => {
            throw initFileError(error, keyOut, store);
          }),
      );
      printResult(io, options, result, () =>
        [
          `key vault initialised in ${result.store}`,
          `algorithm: ${result.algorithm}`,
          `key id:    ${result.keyId}`,
          result.privateKeyFile !== undefined
            ? `private key written to ${result.privateKeyFile}`
            : `KEM private key (shown once, store it offline):\n${result.privateKeyPem ?? ''}`,
        ].join('\n'),
      );
    });

  const status = withStore(
    keyvault.command('status').description('show algorithm, key id and creation time (no key needed)'),
  );
  status
    .addHelpText(
      'after',
      '\nExamples:\n  $ city keyvault status\n  $ city keyvault status --data-dir /var/lib/city --json',
    )
    .action(async (options: StoreOptions) => {
      const kv = await import('@city/ntru-keyvault');
      const result = await kv.keyvaultStatus({ store: new kv.FileCapsuleStore(storeDir(io, options)) });
      printResult(io, options, result, () =>
        result.initialised
          ? [
              `key vault in ${result.store}`,
              `algorithm:  ${result.algorithm}`,
              `key id:     ${result.keyId}`,
              `created at: ${result.createdAt.toISOString()}`,
            ].join('\n')
          : `no key vault in ${result.store} (run city keyvault init)`,
      );
    });

  const rotate = withStore(
    keyOption(
      keyvault
        .command('rotate-kem')
        .description('re-wrap the same master key with a new KEM key pair (data stays as it is)')
        .addOption(
          new Option('--alg <algorithm>', 'KEM algorithm of the new pair (default: unchanged)').choices(
            KEM_ALGORITHMS,
          ),
        )
        .option(
          '--new-key-out <file>',
          'write the new KEM private key here (0600); without it it is printed once',
        ),
    ),
  );
  rotate
    .addHelpText(
      'after',
      '\nExamples:\n  $ city keyvault rotate-kem --key kem.key --new-key-out kem.next.key\n  $ city keyvault rotate-kem --key kem.key --alg x25519+ml-kem-768 --new-key-out kem.next.key',
    )
    .action(async (options: KeyOptions & { alg?: string; newKeyOut?: string }) => {
      const kv = await import('@city/ntru-keyvault');
      const privateKey = await loadKey(io, options);
      const result = await withSpinner(io, 'rotating the KEM key pair', () =>
        kv.keyvaultRotateKem({
          store: new kv.FileCapsuleStore(storeDir(io, options)),
          privateKey,
          ...(options.alg === undefined ? {} : { algorithm: options.alg as (typeof KEM_ALGORITHMS)[number] }),
          ...(options.newKeyOut === undefined ? {} : { newPrivateKeyFile: resolve(options.newKeyOut) }),
        }),
      );
      printResult(io, options, result, () =>
        [
          `re-wrapped the master key in ${result.store}`,
          `previous: ${result.previous.algorithm} ${result.previous.keyId}`,
          `current:  ${result.current.algorithm} ${result.current.keyId}`,
          result.privateKeyFile !== undefined
            ? `new private key written to ${result.privateKeyFile}`
            : `new KEM private key (shown once, store it offline):\n${result.privateKeyPem ?? ''}`,
        ].join('\n'),
      );
    });

  const unwrap = withStore(
    keyOption(
      keyvault
        .command('unwrap')
        .description('check that a KEM private key opens the vault (reveals nothing)')
        .option('--check', 'only check (the only mode: the master key is never printed)'),
    ),
  );
  unwrap
    .addHelpText(
      'after',
      '\nExits 1 with KEYVAULT_CHECK_FAILED when the key does not open the vault (the message names the\nreason, e.g. KEYVAULT_UNWRAP_FAILED; with --json the check result is also printed on stdout).\n\nExamples:\n  $ city keyvault unwrap --check --key kem.key',
    )
    .action(async (options: KeyOptions & { check?: boolean }) => {
      if (options.check !== true)
        throw new CliError('USAGE_ERROR', 'missing --check (the master key is never printed)');
      const kv = await import('@city/ntru-keyvault');
      const privateKey = await loadKey(io, options);
      const result = await kv.keyvaultUnwrapCheck({
        store: new kv.FileCapsuleStore(storeDir(io, options)),
        privateKey,
      });
      if (!result.ok) {
        if (options.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        throw new CliError('KEYVAULT_CHECK_FAILED', `${result.code}: ${result.message}`);
      }
      printResult(
        io,
        options,
        result,
        `the key opens the vault in ${result.store} (${result.algorithm}, key id ${result.keyId})`,
      );
    });
}

function storeDir(io: CliIo, options: StoreOptions): string {
  return options.storeDir !== undefined
    ? resolve(options.storeDir)
    : join(dataDirFor(io, options), 'keyvault');
}

async function loadKey(io: CliIo, options: KeyOptions): Promise<string> {
  const kv = await import('@city/ntru-keyvault');
  if (options.key !== undefined) return kv.loadKemPrivateKey({ file: resolve(options.key) });
  if ((io.env[KEM_PRIVATE_KEY_ENV] ?? '') !== '') return kv.loadKemPrivateKey({ env: io.env });
  // The root key file the API and direct mode read.
  const rootKeyFile = io.env.CITY_ROOT_KEY_FILE ?? '';
  if (rootKeyFile !== '') return kv.loadKemPrivateKey({ file: resolve(rootKeyFile) });
  // Otherwise the embedded deployment keeps its KEM key beside the capsules' directory.
  const embedded = join(dataDirFor(io, options), EMBEDDED_KEM_KEY_FILE);
  if (options.storeDir === undefined && existsSync(embedded)) return kv.loadKemPrivateKey({ file: embedded });
  throw new CliError('USAGE_ERROR', `missing --key (or env ${KEM_PRIVATE_KEY_ENV})`);
}
