/**
 * The device key of a new registration, pairing or recovery: generated here and sent as a CSR
 * (default — the private key never leaves the machine), taken from `--csr` + `--key`, or generated
 * by the server (`--server-key`, the legacy flow; the key comes back exactly once); the flags that
 * choose it, and the profile the new device is saved in.
 */
import {
  createCertificateSigningRequest,
  generateKeyPair,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
} from '@city/client-cert';
import type { IssuedDeviceCertificate } from '@city/registration-core';
import { type Command, Option } from 'commander';
import { CliError } from './cli-error.js';
import { type CommonOptions, profileFor } from './command-context.js';
import { readInputFile } from './lib/_files.js';
import { type CliIo, withSpinner } from './lib/_terminal.js';
import type { Profile, ProfileDevice } from './profile.js';

/** Options shared by `register`, `pair accept` and `recover` ({@link addDeviceKeyOptions}). */
export interface DeviceKeyOptions {
  readonly csr?: string;
  readonly key?: string;
  readonly generateKey?: boolean;
  readonly alg?: string;
  readonly serverKey?: boolean;
  readonly deviceLabel?: string;
  readonly force?: boolean;
}

/** What a command prints about the device it saved in the profile: its profile record and where. */
export type SavedDeviceView = Omit<ProfileDevice, 'username' | 'pairedFromDeviceId' | 'savedAt'> & {
  readonly profileDir: string;
};

/** What goes into the request body, and the private key to keep when it is local. */
export interface DeviceKeyPlan {
  readonly body: { csr: string } | { key_algorithm: string } | Record<string, never>;
  /** PKCS#8 PEM of a local key; undefined when the server generates it. */
  readonly privateKeyPem: string | undefined;
  readonly keySource: 'local' | 'server';
}

/** Default algorithm for device keys (the service's default). */
export const DEFAULT_DEVICE_ALGORITHM: KeyAlgorithm = 'ml-dsa-65';

/** Every device key algorithm, for `--alg` choices. */
export const DEVICE_ALGORITHMS: readonly string[] = KEY_ALGORITHMS;

/**
 * Adds the flags of a command that makes this machine a device: its label, where its key comes
 * from, and `--force` to replace a device already in the profile.
 *
 * @throws never
 * @example
 * ```ts
 * addDeviceKeyOptions(program.command('recover'));
 * ```
 */
export function addDeviceKeyOptions(command: Command): Command {
  return command
    .option('--device-label <label>', 'label of this device')
    .option('--generate-key', 'generate the device key locally and send a CSR (the default)')
    .addOption(
      new Option('--alg <algorithm>', 'device key algorithm (default ml-dsa-65)').choices(DEVICE_ALGORITHMS),
    )
    .option('--csr <file>', 'send this PKCS#10 CSR instead of generating a key (needs --key)')
    .option('--key <file>', 'private key PEM of the --csr, copied into the profile')
    .option('--server-key', 'let the server generate the key (returned once and saved in the profile)')
    .option('--force', 'replace a device already saved in the profile');
}

/**
 * The profile a new device will be saved in, once the device-key flags are checked and the profile
 * is known to hold no device (or `--force`), before anything is prompted or sent.
 *
 * @throws CliError `USAGE_ERROR` for contradictory key flags; `PROFILE_EXISTS` for a profile holding a device
 * @example
 * ```ts
 * const profile = await profileForNewDevice(io, options);
 * ```
 */
export async function profileForNewDevice(
  io: CliIo,
  options: CommonOptions & DeviceKeyOptions,
): Promise<Profile> {
  const profile = profileFor(io, options);
  assertDeviceKeyFlags(options);
  await profile.assertNoDevice(options.force === true);
  return profile;
}

/**
 * Checks the device-key flags before anything is read or prompted.
 *
 * @throws CliError `USAGE_ERROR` for contradictory or incomplete flags
 * @example
 * ```ts
 * assertDeviceKeyFlags({ csr: 'a.csr' }); // throws: missing --key
 * ```
 */
export function assertDeviceKeyFlags(options: DeviceKeyOptions): void {
  const chosen = [
    options.csr !== undefined ? '--csr' : undefined,
    options.generateKey === true ? '--generate-key' : undefined,
    options.serverKey === true ? '--server-key' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (chosen.length > 1) throw new CliError('USAGE_ERROR', `${chosen.join(', ')} cannot be combined`);
  if (options.csr !== undefined) {
    if (options.key === undefined) {
      throw new CliError(
        'USAGE_ERROR',
        'missing --key (the private key of the --csr, kept in the profile for login)',
      );
    }
    if (options.alg !== undefined) {
      throw new CliError('USAGE_ERROR', '--alg cannot be combined with --csr (the CSR names its key)');
    }
  } else if (options.key !== undefined) {
    throw new CliError('USAGE_ERROR', '--key is only used together with --csr');
  }
}

/**
 * Decides and prepares the device key.
 *
 * @throws CliError `USAGE_ERROR` for contradictory flags; `FILE_NOT_FOUND`; `INPUT_INVALID`
 * @example
 * ```ts
 * const plan = await prepareDeviceKey(io, { alg: 'ecdsa-p256' }, 'alice');
 * ```
 */
export async function prepareDeviceKey(
  io: CliIo,
  options: DeviceKeyOptions,
  commonName: string,
): Promise<DeviceKeyPlan> {
  assertDeviceKeyFlags(options);
  if (options.csr !== undefined && options.key !== undefined) {
    const csr = await readInputFile(options.csr, 'CSR file');
    const privateKeyPem = await readInputFile(options.key, 'private key file');
    return { body: { csr }, privateKeyPem, keySource: 'local' };
  }
  const algorithm = (options.alg ?? DEFAULT_DEVICE_ALGORITHM) as KeyAlgorithm;
  if (options.serverKey === true)
    return { body: { key_algorithm: algorithm }, privateKeyPem: undefined, keySource: 'server' };
  const { privateKeyPem, csr } = await withSpinner(io, `generating a ${algorithm} key`, async () => {
    const pair = await generateKeyPair(algorithm);
    return {
      privateKeyPem: pair.privateKeyPem,
      csr: await createCertificateSigningRequest({ privateKeyPem: pair.privateKeyPem, commonName }),
    };
  });
  return { body: { csr }, privateKeyPem, keySource: 'local' };
}

/**
 * Saves a newly issued device certificate into the profile with the private key from `plan`
 * (local key) or from the service's answer (server-generated key, returned once); answers what the
 * command prints about it.
 *
 * @throws Error when a server-generated key was requested but the answer carries none
 */
export async function saveIssuedDevice(
  profile: Profile,
  plan: DeviceKeyPlan,
  issued: IssuedDeviceCertificate & { readonly uuid: string },
  owner: { readonly username: string; readonly pairedFromDeviceId?: string | undefined },
): Promise<SavedDeviceView> {
  const privateKeyPem = plan.privateKeyPem ?? issued.privateKeyPem;
  if (privateKeyPem === undefined)
    throw new Error('the service returned no private key for a server-generated key');
  const view: SavedDeviceView = {
    uuid: issued.uuid,
    deviceId: issued.deviceId,
    fingerprint: issued.fingerprint,
    serialNumber: issued.serialNumber,
    algorithm: String(issued.algorithm),
    notAfter: issued.notAfter,
    keySource: plan.keySource,
    profileDir: profile.directory,
  };
  const { profileDir: _, ...saved } = view;
  await profile.saveDevice({
    device: {
      ...saved,
      username: owner.username,
      ...(owner.pairedFromDeviceId === undefined ? {} : { pairedFromDeviceId: owner.pairedFromDeviceId }),
      savedAt: new Date().toISOString(),
    },
    certificatePem: issued.certificatePem,
    privateKeyPem,
    caCertificatePem: issued.caCertificatePem,
  });
  return view;
}
