/**
 * Real libmongocrypt as an independent oracle for MongoDB client-side field level encryption
 * (CSFLE): `peers/libmongocrypt_peer.py` runs pymongo's ClientEncryption over pymongocrypt in a
 * Python subprocess, decrypting what this project wrote and encrypting values for the other
 * direction. Python comes from `CITY_CSFLE_PYTHON`, else `<repo>/.tools/venv-csfle/bin/python`
 * (`python3 -m venv .tools/venv-csfle && .tools/venv-csfle/bin/pip install pymongo pymongocrypt`;
 * .ci/run creates it). The master key is written to the peer's stdin, never to argv or the environment.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE_ROOT = join(import.meta.dirname, '..');
const PEER_SCRIPT = join(PACKAGE_ROOT, 'peers', 'libmongocrypt_peer.py');
const REPO_ROOT = join(PACKAGE_ROOT, '..', '..');

/** What to install when the peer's Python is missing. */
export const LIBMONGOCRYPT_INSTALL_HINT =
  'Python with pymongo + pymongocrypt in .tools/venv-csfle (python3 -m venv .tools/venv-csfle && .tools/venv-csfle/bin/pip install pymongo pymongocrypt) or CITY_CSFLE_PYTHON';

/** A request to the peer (see `peers/libmongocrypt_peer.py`). */
export interface LibmongocryptPeerRequest {
  readonly uri: string;
  /** `<db>.<collection>` of the data keys. */
  readonly keyVaultNamespace: string;
  /** The `local` KMS key (96 bytes), hex. */
  readonly masterKeyHex: string;
  readonly database: string;
  readonly collection: string;
  /** Fields to decrypt where they hold an encrypted value (BSON binary subtype 6). */
  readonly fields: readonly string[];
  /** The sub-document holding the fields; default the document itself. */
  readonly within?: string | undefined;
  /** Only these documents; default every one. */
  readonly ids?: readonly string[] | undefined;
  /** The data key reported as `keyIdHex`, and used by `encrypt` and `findBy`. */
  readonly keyAltName: string;
  readonly encrypt?: readonly { value: string; algorithm: 'deterministic' | 'random' }[] | undefined;
  /** An equality query on `field` with the deterministic ciphertext of `value`. */
  readonly findBy?: { readonly field: string; readonly value: string } | undefined;
}

/** The peer's answer. */
export interface LibmongocryptPeerAnswer {
  /** libmongocrypt's version. */
  readonly libmongocrypt: string;
  /** In `_id` order: `_id` and the plaintext of each requested field stored encrypted. */
  readonly documents: Record<string, string>[];
  /** The `_id` of the `keyAltName` data key, hex. */
  readonly keyIdHex: string;
  /** Base64 ciphertexts of `encrypt`, in request order. */
  readonly encrypted: string[];
  /** With `findBy`: the `_id`s the query found. */
  readonly found?: string[];
}

/**
 * The Python that runs the peer, or undefined when none imports pymongo and pymongocrypt.
 *
 * @throws never
 * @example
 * ```ts
 * describe.skipIf(libmongocryptPython() === undefined)('CSFLE with real libmongocrypt', () => {});
 * ```
 */
export function libmongocryptPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const python = env.CITY_CSFLE_PYTHON ?? join(REPO_ROOT, '.tools', 'venv-csfle', 'bin', 'python');
  if (!existsSync(python)) return undefined;
  const check = spawnSync(python, ['-c', 'import pymongo, pymongocrypt'], {
    stdio: 'ignore',
    timeout: 30_000,
  });
  return check.status === 0 ? python : undefined;
}

/**
 * Runs the peer once.
 *
 * @throws {Error} `libmongocrypt peer exited <code>: <stderr>` when libmongocrypt refuses (a wrong
 *   master key, an unknown key alt name) or the peer cannot start; `LIBMONGOCRYPT_INSTALL_HINT` when
 *   no Python has it
 * @example
 * ```ts
 * const answer = await runLibmongocryptPeer({ uri, keyVaultNamespace, masterKeyHex, database, collection: 'users', fields: ['email'], keyAltName: 'pii' });
 * ```
 */
export function runLibmongocryptPeer(
  request: LibmongocryptPeerRequest,
  options: { readonly python?: string | undefined } = {},
): Promise<LibmongocryptPeerAnswer> {
  const python = options.python ?? libmongocryptPython();
  if (python === undefined)
    return Promise.reject(new Error(`libmongocrypt peer needs ${LIBMONGOCRYPT_INSTALL_HINT}`));
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`libmongocrypt peer exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as LibmongocryptPeerAnswer);
    });
    child.stdin.end(JSON.stringify(request));
  });
}
