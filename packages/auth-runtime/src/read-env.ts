/**
 * Readers of one environment variable each, shared by every configuration loader so that the
 * same variable is read the same way everywhere: values are trimmed, an empty value is unset, and
 * a bad value is a {@link ConfigError} naming the variable and what it expected.
 */
import { ConfigError } from './config-error.js';

/** An environment: `process.env` or a plain record. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The trimmed value of `name`, or `undefined` when unset or blank.
 *
 * @throws never
 * @example
 * ```ts
 * const host = readVariable(process.env, 'HOST') ?? '127.0.0.1';
 * ```
 */
export function readVariable(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A decimal integer from `min` to `max`, `fallback` when unset.
 *
 * @throws {ConfigError} when the value is not digits only or out of range
 * @example
 * ```ts
 * const port = readInteger(process.env, 'PORT', 3000, 0, 65_535);
 * ```
 */
export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readVariable(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

/**
 * A switch: on/true/1/yes or off/false/0/no (any case), `fallback` when unset.
 *
 * @throws {ConfigError} for any other value
 * @example
 * ```ts
 * const mtls = readOnOff(process.env, 'CITY_MTLS', true);
 * ```
 */
export function readOnOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = readVariable(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected on or off, got "${raw}"`);
}

/**
 * One of `values` (exact spelling), `fallback` when unset.
 *
 * @throws {ConfigError} for a value not in the list, naming the list
 * @example
 * ```ts
 * const level = readOneOf(process.env, 'LOG_LEVEL', ['info', 'debug'], 'info');
 * ```
 */
export function readOneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = readVariable(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/**
 * An absolute `http:` or `https:` URL with no query, fragment or credentials, without its trailing
 * slashes (`https://auth.example/city`), `undefined` when unset.
 *
 * @throws {ConfigError} for anything else, naming what was expected
 * @example
 * ```ts
 * const base = readBaseUrl(process.env, 'CITY_PUBLIC_BASE_URL'); // 'https://auth.example'
 * ```
 */
export function readBaseUrl(env: Env, name: string): string | undefined {
  const raw = readVariable(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `expected an absolute http:// or https:// URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(name, `expected an http:// or https:// URL, got "${url.protocol}"`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(name, 'expected a base URL without credentials, query or fragment');
  }
  return url.href.replace(/\/+$/, '');
}
