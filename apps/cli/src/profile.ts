/**
 * The profile: one directory per device identity on this machine, holding the device certificate,
 * its private key, the CA certificate, the device record and the session tokens, every file 0600 and
 * the directory 0700.
 *
 * Location: `<base>/<name>` where `name` is `--profile` / `CITY_PROFILE` (default `default`) and
 * `base` is `--profile-dir` / `CITY_PROFILE_DIR`, else the per-OS configuration directory:
 * `$XDG_CONFIG_HOME/city/profiles` or `~/.config/city/profiles` (Linux and other Unix),
 * `~/Library/Application Support/city/profiles` (macOS), `%APPDATA%\city\profiles` (Windows).
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve, win32 } from 'node:path';
import { CliError } from './cli-error.js';
import { writePrivateFile } from './lib/_files.js';

/** The device this profile holds, as `profile.json` stores it. */
export interface ProfileDevice {
  readonly uuid: string;
  readonly username: string;
  readonly deviceId: string;
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly algorithm: string;
  readonly notAfter: string;
  /** `local` when the key was generated on this machine (CSR), `server` when the server generated it. */
  readonly keySource: 'local' | 'server';
  readonly pairedFromDeviceId?: string | undefined;
  readonly savedAt: string;
}

/** The session tokens, as `tokens.json` stores them. */
export interface ProfileTokens {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: string;
  readonly sessionId: string;
  readonly deviceId: string;
}

/** File names inside a profile directory. */
export const PROFILE_FILES = {
  device: 'profile.json',
  certificate: 'device-cert.pem',
  privateKey: 'device-key.pem',
  caCertificate: 'ca-cert.pem',
  tokens: 'tokens.json',
} as const;

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The per-OS directory under which profiles live by default.
 *
 * @throws never
 * @example
 * ```ts
 * defaultProfileBase({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/a'); // '/x/city/profiles'
 * ```
 */
export function defaultProfileBase(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    const appData =
      env.APPDATA !== undefined && env.APPDATA !== '' ? env.APPDATA : win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, 'city', 'profiles');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'city', 'profiles');
  const xdg = env.XDG_CONFIG_HOME;
  // XDG Base Directory: a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const configHome = xdg?.startsWith('/') ? xdg : join(home, '.config');
  return join(configHome, 'city', 'profiles');
}

/**
 * The directory of the selected profile.
 *
 * @throws CliError `USAGE_ERROR` when the profile name is not a plain file name
 * @example
 * ```ts
 * resolveProfileDir({ profile: 'work' }, process.env); // ~/.config/city/profiles/work on Linux
 * ```
 */
export function resolveProfileDir(
  options: { profile?: string | undefined; profileDir?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const name = options.profile ?? env.CITY_PROFILE ?? 'default';
  if (!PROFILE_NAME.test(name)) {
    throw new CliError(
      'USAGE_ERROR',
      `--profile expects 1-64 letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${JSON.stringify(name)}`,
    );
  }
  const base =
    options.profileDir ??
    (env.CITY_PROFILE_DIR !== undefined && env.CITY_PROFILE_DIR !== '' ? env.CITY_PROFILE_DIR : undefined);
  if (base !== undefined) return resolve(base, name);
  const fallback = defaultProfileBase(env, platform, home);
  return platform === 'win32' ? win32.join(fallback, name) : join(fallback, name);
}

/**
 * Reads and writes one profile directory.
 *
 * @example
 * ```ts
 * const profile = new Profile(resolveProfileDir({}, process.env));
 * const device = await profile.requireDevice();
 * ```
 */
export class Profile {
  constructor(readonly directory: string) {}

  path(file: keyof typeof PROFILE_FILES): string {
    return join(this.directory, PROFILE_FILES[file]);
  }

  /** The stored device, or undefined when none was saved. */
  async readDevice(): Promise<ProfileDevice | undefined> {
    return this.readJson<ProfileDevice>('device');
  }

  /** The stored device. @throws CliError `PROFILE_NOT_FOUND` */
  async requireDevice(): Promise<ProfileDevice> {
    const device = await this.readDevice();
    if (device === undefined) {
      throw new CliError(
        'PROFILE_NOT_FOUND',
        `no registered device in profile ${this.directory}; run \`city register\` or \`city pair accept\` first`,
      );
    }
    return device;
  }

  /** The device private key (PKCS#8 PEM). @throws CliError `PROFILE_NOT_FOUND` */
  async requirePrivateKey(): Promise<string> {
    try {
      return await readFile(this.path('privateKey'), 'utf8');
    } catch (cause) {
      throw new CliError('PROFILE_NOT_FOUND', `no device private key in profile ${this.directory}`, {
        cause,
      });
    }
  }

  /** Refuses to replace an existing device unless `force`. @throws CliError `PROFILE_EXISTS` */
  async assertNoDevice(force: boolean): Promise<void> {
    if (force) return;
    if (await exists(this.path('device'))) {
      throw new CliError(
        'PROFILE_EXISTS',
        `profile ${this.directory} already holds a device; pass --force to replace it or choose another --profile`,
      );
    }
  }

  /** Saves the device certificate, its key (when known), the CA certificate and the device record. */
  async saveDevice(input: {
    device: ProfileDevice;
    certificatePem: string;
    privateKeyPem: string;
    caCertificatePem: string;
  }): Promise<void> {
    await writePrivateFile(this.path('privateKey'), input.privateKeyPem);
    await writePrivateFile(this.path('certificate'), input.certificatePem);
    await writePrivateFile(this.path('caCertificate'), input.caCertificatePem);
    await rm(this.path('tokens'), { force: true });
    await writePrivateFile(this.path('device'), `${JSON.stringify(input.device, null, 2)}\n`);
  }

  async readTokens(): Promise<ProfileTokens | undefined> {
    return this.readJson<ProfileTokens>('tokens');
  }

  /** The session tokens. @throws CliError `NOT_LOGGED_IN` */
  async requireTokens(): Promise<ProfileTokens> {
    const tokens = await this.readTokens();
    if (tokens === undefined)
      throw new CliError('NOT_LOGGED_IN', `not logged in (profile ${this.directory}); run \`city login\``);
    return tokens;
  }

  async saveTokens(tokens: ProfileTokens): Promise<void> {
    await writePrivateFile(this.path('tokens'), `${JSON.stringify(tokens, null, 2)}\n`);
  }

  async clearTokens(): Promise<void> {
    await rm(this.path('tokens'), { force: true });
  }

  private async readJson<T>(file: keyof typeof PROFILE_FILES): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new CliError('INPUT_INVALID', `${this.path(file)} is not valid JSON`, { cause });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
