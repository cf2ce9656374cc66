/**
 * Internal: the long-lived secrets of a deployment, sealed apart from the data they protect.
 *
 * - The **root key** (the key vault's KEM private key) is the only secret kept in the clear. It
 *   comes from the caller (an environment variable) or a file: `rootKeyFile`, default
 *   `<dir>/keyvault-kem.key`. Production keeps it outside the data directory.
 * - The **capsule store** (default `<dir>/keyvault/`, or S3/MongoDB) holds `master` (the master
 *   key wrapped to the root key), `datakeys`, and the service keys sealed under the vault's
 *   `service-keys` data key (AES-256-GCM, bound to their name): `service-ca` (device CA
 *   certificate + private key) and `service-jwt` (the JWT key set). Without the root key none of
 *   them opens.
 *
 * A directory written by an older version (plain `ca.pem` + `ca-key.pem`, `jwt-keys.json`) is
 * migrated on start: the plain keys are sealed, read back, and only then removed. A plain copy
 * that disagrees with the sealed one stops the start (`SECRETS_MISMATCH`) and nothing is changed.
 *
 * Creation happens only when the caller allows it (the first instance on an empty store) and
 * only under an exclusive lock file `<dir>/.secrets.lock` (`open(…, 'wx')`): of instances
 * starting together on one empty directory one creates, the others wait and then load what it
 * created. New files are written to a temporary name and linked into place (`link` fails if the
 * name exists), so no reader ever sees half a key and no key is ever overwritten. A capsule store
 * shared by instances with separate directories (MongoDB, S3) is written through
 * `StagedCapsuleStore`: everything is created in memory and then inserted only where absent, so
 * of instances creating at once the first writer's capsules are the vault and the others load it
 * (or, given another root key, stop with SECRETS_MISMATCH).
 */
import { createHash, hkdfSync, randomBytes, X509Certificate } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  loadCertificateAuthority,
} from '@city/client-cert';
import { isCityError } from '@city/errors';
import { generateSigningKey, type JwtAlgorithm, KeySet } from '@city/jwt';
import {
  type CapsuleStore,
  type FieldCipher,
  FileCapsuleStore,
  formatKemPrivateKeyPem,
  generateKemKeyPair,
  type KemAlgorithm,
  KeyVault,
  kemKeyPairFromPrivateKey,
  loadKemPrivateKey,
} from '@city/ntru-keyvault';
import type { CertificateAlgorithm } from '@city/registration-core';
import { CapsuleRaceLost, MASTER_CAPSULE, StagedCapsuleStore } from './_staged-capsule-store.js';
import { SecretsError } from './secrets-error.js';

/** File name of the root key when it lives in the secrets directory (older layouts, development). */
export const ROOT_KEY_FILE = 'keyvault-kem.key';
const LOCK_FILE = '.secrets.lock';
const SEALED_CA = 'service-ca';
const SEALED_JWT = 'service-jwt';
const SERVICE_KEYS_PURPOSE = 'service-keys';
/** Every data key the runtime uses (PII fields and blind indexes, refresh grace sealing, service keys). */
const DATA_KEY_PURPOSES = ['pii', 'refresh-grace', SERVICE_KEYS_PURPOSE] as const;
const PLAIN_CA = 'ca.pem';
const PLAIN_CA_KEY = 'ca-key.pem';
const PLAIN_JWT = 'jwt-keys.json';
const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
/** Creations lost to another instance before giving up (each loss means that instance progressed). */
const MAX_CREATION_ROUNDS = 8;

export interface LoadedSecrets {
  readonly ca: CertificateAuthority;
  readonly keys: KeySet;
  readonly vault: KeyVault;
  readonly fieldCipher: FieldCipher;
  readonly sealKey: Uint8Array;
  /** Key of the failure-counter keys, derived from the vault's master key (no file of its own). */
  readonly counterKey: Uint8Array;
  /** Identifies these secrets without revealing them: `v1 vault=<hex> ca=<hex>`. */
  readonly keyCheck: string;
  /** Where the root key came from (for status output). */
  readonly rootKeySource: string;
  /** When this load sealed a plain `jwt-keys.json` over a different sealed key set: what changed. */
  readonly jwtKeysChange?: JwtKeysChange | undefined;
}

/** How a plain `jwt-keys.json` changed the sealed key set (a rotation, a retirement, or both). */
export interface JwtKeysChange {
  readonly activeKid: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Where the root key is: its PEM text (from the environment) or a file. */
export interface RootKeyOptions {
  /** The KEM private key itself (PEM or base64), e.g. from `CITY_KEM_PRIVATE_KEY`. */
  readonly pem?: string | undefined;
  /** Path of the key file; default `<dir>/keyvault-kem.key`. */
  readonly file?: string | undefined;
}

export interface SecretsOptions {
  readonly dir: string;
  readonly rootKey?: RootKeyOptions | undefined;
  /** May missing secrets be created? Only the first instance on an empty store may. */
  readonly mayCreate: boolean;
  readonly caAlgorithm?: CertificateAlgorithm | undefined;
  readonly jwtAlgorithm?: JwtAlgorithm | undefined;
  readonly kemAlgorithm?: KemAlgorithm | undefined;
  /** Where the wrapped master key and sealed service keys live; default a FileCapsuleStore in `<dir>/keyvault`. */
  readonly capsuleStore?: CapsuleStore | undefined;
  /** How long to wait for another process's creation lock (default 60 s). */
  readonly lockTimeoutMs?: number | undefined;
}

interface Located {
  readonly dir: string;
  readonly store: CapsuleStore;
  readonly rootKeyFile: string | undefined;
  readonly rootKeyPem: string | undefined;
  readonly rootKeySource: string;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `content` to `path` only if nothing is there: a temporary file in the same directory,
 * fsync, then `link` (which fails with EEXIST instead of replacing). Answers false when `path`
 * already existed (another writer won; its file is complete, since it was linked whole).
 */
async function writeNew(path: string, content: string, mode: number): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

function locate(options: SecretsOptions): Located {
  const store = options.capsuleStore ?? new FileCapsuleStore(join(options.dir, 'keyvault'));
  if (options.rootKey?.pem !== undefined) {
    return {
      dir: options.dir,
      store,
      rootKeyFile: undefined,
      rootKeyPem: options.rootKey.pem,
      rootKeySource: 'environment',
    };
  }
  const file = options.rootKey?.file ?? join(options.dir, ROOT_KEY_FILE);
  return { dir: options.dir, store, rootKeyFile: file, rootKeyPem: undefined, rootKeySource: `file:${file}` };
}

async function readRootKey(where: Located): Promise<string | undefined> {
  try {
    if (where.rootKeyPem !== undefined) {
      return await loadKemPrivateKey({ envVar: 'root key', env: { 'root key': where.rootKeyPem } });
    }
    if ((await readIfExists(where.rootKeyFile!)) === undefined) return undefined;
    return await loadKemPrivateKey({ file: where.rootKeyFile! });
  } catch (cause) {
    if (isCityError(cause)) {
      throw new SecretsError(
        'SECRETS_UNREADABLE',
        `the root key (${where.rootKeySource}) is unreadable: ${cause.message}`,
        {
          cause,
        },
      );
    }
    throw cause;
  }
}

/** The service keys sealed in the capsule store, or undefined when none is stored under `name`. */
async function readSealed(where: Located, cipher: FieldCipher, name: string): Promise<string | undefined> {
  const bytes = await where.store.read(name);
  if (bytes === undefined) return undefined;
  try {
    return cipher.decrypt(Buffer.from(bytes).toString('utf8'), {
      table: 'service-keys',
      recordKey: name,
      attribute: 'sealed',
    });
  } catch (cause) {
    throw new SecretsError(
      'SECRETS_MISMATCH',
      `the sealed ${name} in ${where.store.describe()} does not open with this key vault (it was sealed under another one)`,
      { cause },
    );
  }
}

async function writeSealed(
  where: Located,
  cipher: FieldCipher,
  name: string,
  plaintext: string,
): Promise<void> {
  const sealed = cipher.encrypt(plaintext, { table: 'service-keys', recordKey: name, attribute: 'sealed' });
  await where.store.write(name, new Uint8Array(Buffer.from(sealed, 'utf8')));
}

interface CaBundle {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** What a directory lacks, in words an operator can act on. */
interface Inspection {
  readonly rootKey: string | undefined;
  readonly hasVault: boolean;
}

async function inspect(where: Located): Promise<Inspection> {
  const [rootKey, master] = await Promise.all([readRootKey(where), where.store.read(MASTER_CAPSULE)]);
  return { rootKey, hasVault: master !== undefined };
}

/**
 * Holds `<dir>/.secrets.lock` while `task` runs. Another holder is waited for (polling) up to
 * `timeoutMs`; a lock older than that is reported, never broken: breaking it could let two
 * processes create different keys.
 */
async function withLock<T>(dir: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (Date.now() >= deadline) {
      const since = await stat(path).then(
        (s) => s.mtime.toISOString(),
        () => 'unknown',
      );
      throw new SecretsError(
        'SECRETS_LOCKED',
        `another process is creating or migrating the secrets in ${dir} (lock file ${path}, since ${since}). ` +
          `If no instance is starting, an interrupted first start left it: remove the lock file ${path} only ` +
          '(never the key files) and start again',
      );
    }
    await sleep(25);
  }
  try {
    return await task();
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * Creates whatever is missing (root key, vault, sealed CA and JWT keys; only when allowed) and
 * seals plain key files of an older layout. Runs under the lock.
 */
async function complete(shared: Located, options: SecretsOptions): Promise<JwtKeysChange | undefined> {
  const staged = new StagedCapsuleStore(shared.store);
  const where: Located = { ...shared, store: staged };
  // Plain key files of an older layout are removed only once their sealed copies are stored.
  const removals: string[] = [];
  let { rootKey, hasVault } = await inspect(where);
  if (rootKey === undefined && hasVault) throw missingRootKey(where);
  if (rootKey === undefined) {
    if (!options.mayCreate) throw missingSecrets(where, ['the root key', 'the key vault']);
    const pair = await generateKemKeyPair(options.kemAlgorithm);
    // The lock covers this directory; a root key file elsewhere may be shared by another one.
    const written = await writeNew(where.rootKeyFile!, formatKemPrivateKeyPem(pair.privateKey), 0o600);
    rootKey = written ? pair.privateKey : await readRootKey(where);
    hasVault = (await where.store.read(MASTER_CAPSULE)) !== undefined;
  }
  if (!hasVault) {
    if (!options.mayCreate) throw missingSecrets(where, ['the key vault']);
    try {
      await KeyVault.init({ store: where.store, kemKeyPair: kemKeyPairFromPrivateKey(rootKey!) });
    } catch (error) {
      // Another instance stored its vault after this one looked: the race is lost, start over from it.
      if (isCityError(error) && error.code === 'KEYVAULT_EXISTS') throw new CapsuleRaceLost(MASTER_CAPSULE);
      throw error;
    }
  }
  const vault = await openVault(where, rootKey!);
  // Data keys are created on first use and written back as one table: create every one this
  // runtime uses here, under the lock, so that no loader ever writes the table concurrently.
  for (const purpose of DATA_KEY_PURPOSES) await vault.dataKey(purpose);
  const cipher = await vault.fieldCipher(SERVICE_KEYS_PURPOSE);
  await completeCa(where, options, cipher, removals);
  const jwtKeysChange = await completeJwt(where, options, cipher, removals);
  await staged.publish();
  for (const path of removals) await rm(path, { force: true });
  return jwtKeysChange;
}

/** Opens the vault; a root key that does not unwrap its master capsule is SECRETS_MISMATCH. */
async function openVault(where: Located, rootKey: string): Promise<KeyVault> {
  try {
    return await KeyVault.open({ store: where.store, privateKey: rootKey });
  } catch (cause) {
    if (isCityError(cause) && cause.code === 'KEYVAULT_UNWRAP_FAILED') {
      throw new SecretsError(
        'SECRETS_MISMATCH',
        `the root key (${where.rootKeySource}) does not open the key vault in ${where.store.describe()}: ` +
          'this instance was given another root key than the one the vault was created with. Give it the root key ' +
          'of the instances already running on this store (CITY_ROOT_KEY_FILE or CITY_KEM_PRIVATE_KEY); it wrote nothing',
        { cause },
      );
    }
    throw cause;
  }
}

async function completeCa(
  where: Located,
  options: SecretsOptions,
  cipher: FieldCipher,
  removals: string[],
): Promise<void> {
  const certPath = join(where.dir, PLAIN_CA);
  const keyPath = join(where.dir, PLAIN_CA_KEY);
  const [sealed, certificatePem, privateKeyPem] = await Promise.all([
    readSealed(where, cipher, SEALED_CA),
    readIfExists(certPath),
    readIfExists(keyPath),
  ]);
  if (privateKeyPem !== undefined) {
    if (certificatePem === undefined) {
      throw new SecretsError(
        'SECRETS_MISSING',
        `${keyPath} has no certificate beside it (${certPath}); restore it`,
      );
    }
    const plain: CaBundle = { certificatePem, privateKeyPem };
    await loadCertificateAuthority(plain);
    if (sealed === undefined) {
      await writeSealed(where, cipher, SEALED_CA, JSON.stringify(plain));
    } else if (!sameCa(JSON.parse(sealed) as CaBundle, plain)) {
      throw new SecretsError(
        'SECRETS_MISMATCH',
        `${keyPath} differs from the CA sealed in ${where.store.describe()}; nothing was changed. ` +
          `Move ${keyPath} and ${certPath} out of ${where.dir} once you know which CA the devices were issued by`,
      );
    }
    const check = await readSealed(where, cipher, SEALED_CA);
    if (check === undefined || !sameCa(JSON.parse(check) as CaBundle, plain)) {
      throw new SecretsError(
        'SECRETS_UNREADABLE',
        `the CA sealed in ${where.store.describe()} did not read back`,
      );
    }
    removals.push(keyPath, certPath);
    return;
  }
  if (sealed !== undefined) return;
  if (!options.mayCreate) throw missingSecrets(where, ['the device CA']);
  const ca = await createCertificateAuthority({
    algorithm: options.caAlgorithm ?? 'ml-dsa-65',
    commonName: 'City Chain Auth Device CA',
  });
  const bundle: CaBundle = { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem };
  await writeSealed(where, cipher, SEALED_CA, JSON.stringify(bundle));
}

function sameCa(a: CaBundle, b: CaBundle): boolean {
  return (
    a.certificatePem.trim() === b.certificatePem.trim() && a.privateKeyPem.trim() === b.privateKeyPem.trim()
  );
}

async function completeJwt(
  where: Located,
  options: SecretsOptions,
  cipher: FieldCipher,
  removals: string[],
): Promise<JwtKeysChange | undefined> {
  const path = join(where.dir, PLAIN_JWT);
  const [sealed, plain] = await Promise.all([readSealed(where, cipher, SEALED_JWT), readIfExists(path)]);
  if (plain !== undefined) {
    const plainSet = KeySet.fromJSON(plain);
    const normalised = JSON.stringify(plainSet.toJSON());
    let change: JwtKeysChange | undefined;
    if (sealed === undefined) {
      await writeSealed(where, cipher, SEALED_JWT, normalised);
    } else if (JSON.stringify(KeySet.fromJSON(sealed).toJSON()) !== normalised) {
      // A rotation or retirement of the sealed set keeps at least one of its keys; a set sharing
      // none is another deployment's, and replacing the sealed one with it would end every session.
      const kids = (set: KeySet) => new Set(set.toJWKS().keys.map((key) => key.kid));
      const sealedKids = kids(KeySet.fromJSON(sealed));
      if (![...kids(plainSet)].some((kid) => sealedKids.has(kid))) {
        throw new SecretsError(
          'SECRETS_MISMATCH',
          `${path} shares no key with the JWT keys sealed in ${where.store.describe()}; nothing was changed. ` +
            `Move ${path} out of ${where.dir} once you know which keys the tokens in use are signed with`,
        );
      }
      await writeSealed(where, cipher, SEALED_JWT, normalised);
      const sealedSet = KeySet.fromJSON(sealed);
      change = {
        activeKid: plainSet.toJSON().activeKid ?? '',
        added: plainSet
          .list()
          .map((key) => key.kid)
          .filter((kid) => sealedSet.get(kid) === undefined),
        removed: sealedSet
          .list()
          .map((key) => key.kid)
          .filter((kid) => plainSet.get(kid) === undefined),
      };
    }
    const check = await readSealed(where, cipher, SEALED_JWT);
    if (check === undefined || JSON.stringify(KeySet.fromJSON(check).toJSON()) !== normalised) {
      throw new SecretsError(
        'SECRETS_UNREADABLE',
        `the JWT keys sealed in ${where.store.describe()} did not read back`,
      );
    }
    removals.push(path);
    return change;
  }
  if (sealed !== undefined) return undefined;
  if (!options.mayCreate) throw missingSecrets(where, ['the JWT signing keys']);
  const keys = KeySet.create([await generateSigningKey(options.jwtAlgorithm ?? 'EdDSA')]);
  await writeSealed(where, cipher, SEALED_JWT, JSON.stringify(keys.toJSON()));
  return undefined;
}

function missingRootKey(where: Located): SecretsError {
  return new SecretsError(
    'SECRETS_MISSING',
    `the key vault in ${where.store.describe()} exists but its root key (${where.rootKeySource}) is missing: ` +
      'give this instance the root key the vault was created with (CITY_ROOT_KEY_FILE or CITY_KEM_PRIVATE_KEY); ' +
      'a new one would not open the existing data',
  );
}

function missingSecrets(where: Located, what: readonly string[]): SecretsError {
  return new SecretsError(
    'SECRETS_MISSING',
    `${what.join(', ')} missing (root key ${where.rootKeySource}, key vault ${where.store.describe()}) while the ` +
      'store already holds data: give this instance the secrets of the instances already running on this store ' +
      '(the same root key and key vault); new secrets are created only by the first instance on an empty store',
  );
}

/** Loads the secrets when they are all there; undefined when something must be created or migrated. */
async function tryLoad(where: Located): Promise<LoadedSecrets | undefined> {
  const { rootKey, hasVault } = await inspect(where);
  if (rootKey === undefined && hasVault) throw missingRootKey(where);
  if (rootKey === undefined || !hasVault) return undefined;
  const [plainKey, plainJwt] = await Promise.all([
    readIfExists(join(where.dir, PLAIN_CA_KEY)),
    readIfExists(join(where.dir, PLAIN_JWT)),
  ]);
  if (plainKey !== undefined || plainJwt !== undefined) return undefined;
  // The sealed keys are written last by a creation, after every data key: until both are there,
  // another process may still be creating, and opening data keys here could write the key table.
  const [sealedCa, sealedJwt] = await Promise.all([
    where.store.read(SEALED_CA),
    where.store.read(SEALED_JWT),
  ]);
  if (sealedCa === undefined || sealedJwt === undefined) return undefined;
  const vault = await openVault(where, rootKey);
  const cipher = await vault.fieldCipher(SERVICE_KEYS_PURPOSE);
  const [caJson, jwtJson] = await Promise.all([
    readSealed(where, cipher, SEALED_CA),
    readSealed(where, cipher, SEALED_JWT),
  ]);
  if (caJson === undefined || jwtJson === undefined) return undefined;
  const ca = await loadCertificateAuthority(JSON.parse(caJson) as CaBundle);
  const keys = KeySet.fromJSON(jwtJson);
  const fieldCipher = await vault.fieldCipher('pii');
  return {
    ca,
    keys,
    vault,
    fieldCipher,
    sealKey: await vault.dataKey('refresh-grace'),
    counterKey: counterKeyOf(vault),
    keyCheck: keyCheckOf(fieldCipher, ca.certificatePem),
    rootKeySource: where.rootKeySource,
  };
}

/**
 * A value that is equal for equal secrets and reveals nothing about them: a blind index under
 * the PII data key (an HMAC) and the SHA-256 of the CA certificate (public anyway).
 */
function keyCheckOf(pii: FieldCipher, caCertificatePem: string): string {
  const vault = pii.blindIndex('deployment', 'key-check').slice(0, 32);
  const ca = createHash('sha256')
    .update(new X509Certificate(caCertificatePem).raw)
    .digest('hex')
    .slice(0, 32);
  return `v1 vault=${vault} ca=${ca}`;
}

/**
 * Loads the secrets, sealing plain key files of an older layout and creating missing ones when
 * `mayCreate` (under the creation lock).
 *
 * @throws {SecretsError} `SECRETS_MISSING`, `SECRETS_MISMATCH`, `SECRETS_LOCKED`, `SECRETS_UNREADABLE`
 */
export async function loadOrCreateSecrets(options: SecretsOptions): Promise<LoadedSecrets> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const where = locate(options);
  for (let round = 0; ; round++) {
    const loaded = await tryLoad(where);
    if (loaded !== undefined) return loaded;
    let jwtKeysChange: JwtKeysChange | undefined;
    try {
      jwtKeysChange = await withLock(options.dir, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, () =>
        complete(where, options),
      );
    } catch (error) {
      // Another instance created a capsule first: start over from what it stored.
      if (error instanceof CapsuleRaceLost && round < MAX_CREATION_ROUNDS) continue;
      if (error instanceof CapsuleRaceLost) {
        throw new SecretsError(
          'SECRETS_LOCKED',
          `other instances kept creating the secrets in ${where.store.describe()} (last: ${error.capsule}); start again`,
          { cause: error },
        );
      }
      throw error;
    }
    const completed = await tryLoad(where);
    if (completed !== undefined)
      return jwtKeysChange === undefined ? completed : { ...completed, jwtKeysChange };
    if (round >= MAX_CREATION_ROUNDS) {
      throw new SecretsError(
        'SECRETS_UNREADABLE',
        `the secrets in ${options.dir} are incomplete after creation`,
      );
    }
  }
}

/** The parts of two key checks that differ, in words (`the key vault`, `the device CA`). */
export function keyCheckDifferences(ours: string, stored: string): string[] {
  const parse = (check: string) => Object.fromEntries(check.split(' ').map((part) => part.split('=')));
  const a = parse(ours);
  const b = parse(stored);
  const differences: string[] = [];
  if (a.vault !== b.vault)
    differences.push('the key vault (root key + master key: personal data and blind indexes)');
  if (a.ca !== b.ca) differences.push('the device CA');
  return differences.length === 0 ? ['the key-check format'] : differences;
}

/** HKDF-SHA-256 (RFC 5869) of the master key: the same on every instance sharing the vault. */
function counterKeyOf(vault: KeyVault): Uint8Array {
  const master = vault.masterKey;
  try {
    return new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), 'city/counter-keys/v1', 32));
  } finally {
    master.fill(0);
  }
}
