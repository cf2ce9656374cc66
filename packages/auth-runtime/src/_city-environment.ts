/**
 * The environment a loader reads: the process environment over the configuration file's values
 * (a variable set, non-blank, in the environment wins), and the file origin of each value taken
 * from the file, so that a refusal of that value names the file and line.
 */
import { ConfigError, type ConfigOrigin } from './config-error.js';
import { readCityConfigFile } from './read-city-config-file.js';
import { type Env, readVariable } from './read-env.js';

export interface CityEnvironment {
  readonly env: Env;
  /** The configuration file read, if any. */
  readonly configFile: string | undefined;
  readonly origins: ReadonlyMap<string, ConfigOrigin>;
}

/** `configFile` (a command-line flag) wins over `CITY_CONFIG_FILE`. */
export function cityEnvironment(env: Env, configFile: string | undefined): CityEnvironment {
  const file = configFile ?? readVariable(env, 'CITY_CONFIG_FILE');
  if (file === undefined) return { env, configFile: undefined, origins: new Map() };
  const merged: Record<string, string | undefined> = { ...env };
  const origins = new Map<string, ConfigOrigin>();
  for (const [key, entry] of readCityConfigFile(file).entries) {
    if (readVariable(env, key) !== undefined) continue;
    merged[key] = entry.value;
    origins.set(key, entry.origin);
  }
  return { env: merged, configFile: file, origins };
}

/** Runs `read`, adding the file origin to a {@link ConfigError} about a value from the file. */
export function withOrigins<T>(source: CityEnvironment, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError) || error.origin !== undefined) throw error;
    const origin = source.origins.get(error.variable);
    if (origin === undefined) throw error;
    const prefix = `${error.variable}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ConfigError(error.variable, detail, origin);
  }
}
