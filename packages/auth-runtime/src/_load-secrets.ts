/**
 * Creates on first start, and reloads afterwards, the long-lived secrets of a deployment in one
 * directory: the device CA (ca.pem + ca-key.pem), the JWT key set (jwt-keys.json) and the key
 * vault (KEM private key file + capsule store). Secret files are written 0600 with `wx` so a
 * concurrent first start can never overwrite a key another process already wrote.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  loadCertificateAuthority,
} from '@city/client-cert';
import { generateSigningKey, type JwtAlgorithm, KeySet } from '@city/jwt';
import {
  type CapsuleStore,
  type FieldCipher,
  FileCapsuleStore,
  type KemAlgorithm,
  KeyVault,
} from '@city/ntru-keyvault';
import type { CertificateAlgorithm } from '@city/registration-core';

export interface LoadedSecrets {
  readonly ca: CertificateAuthority;
  readonly keys: KeySet;
  readonly vault: KeyVault;
  readonly fieldCipher: FieldCipher;
  readonly sealKey: Uint8Array;
}

export interface SecretsOptions {
  readonly dir: string;
  readonly caAlgorithm?: CertificateAlgorithm | undefined;
  readonly jwtAlgorithm?: JwtAlgorithm | undefined;
  readonly kemAlgorithm?: KemAlgorithm | undefined;
  /** Where the wrapped master key lives; default a FileCapsuleStore in `<dir>/keyvault`. */
  readonly capsuleStore?: CapsuleStore | undefined;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeSecret(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}

export async function loadOrCreateSecrets(options: SecretsOptions): Promise<LoadedSecrets> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const caPath = join(options.dir, 'ca.pem');
  const caKeyPath = join(options.dir, 'ca-key.pem');
  const [caPem, caKeyPem] = await Promise.all([readIfExists(caPath), readIfExists(caKeyPath)]);
  let ca: CertificateAuthority;
  if (caPem !== undefined && caKeyPem !== undefined) {
    ca = await loadCertificateAuthority({ certificatePem: caPem, privateKeyPem: caKeyPem });
  } else if (caPem === undefined && caKeyPem === undefined) {
    ca = await createCertificateAuthority({
      algorithm: options.caAlgorithm ?? 'ml-dsa-65',
      commonName: 'City Chain Auth Device CA',
    });
    await writeSecret(caKeyPath, ca.privateKeyPem);
    await writeFile(caPath, ca.certificatePem, { mode: 0o644, flag: 'wx' });
  } else {
    throw new Error(
      `${caPem === undefined ? caPath : caKeyPath} is missing while its pair exists; restore it or remove both`,
    );
  }

  const keysPath = join(options.dir, 'jwt-keys.json');
  const keysJson = await readIfExists(keysPath);
  let keys: KeySet;
  if (keysJson !== undefined) {
    keys = KeySet.fromJSON(keysJson);
  } else {
    keys = KeySet.create([await generateSigningKey(options.jwtAlgorithm ?? 'EdDSA')]);
    await writeSecret(keysPath, JSON.stringify(keys.toJSON()));
  }

  const store = options.capsuleStore ?? new FileCapsuleStore(join(options.dir, 'keyvault'));
  const { vault } = await KeyVault.openOrInit({
    store,
    privateKeyFile: join(options.dir, 'keyvault-kem.key'),
    ...(options.kemAlgorithm === undefined ? {} : { algorithm: options.kemAlgorithm }),
  });
  return {
    ca,
    keys,
    vault,
    fieldCipher: await vault.fieldCipher('pii'),
    sealKey: await vault.dataKey('refresh-grace'),
  };
}
