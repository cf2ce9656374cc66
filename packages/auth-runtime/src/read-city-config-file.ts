/**
 * Configuration files (`CITY_CONFIG_FILE`, the apps' `--config`): either env-file lines
 * (`KEY=value`, `#` comments, blank lines, an optional `export ` prefix, values optionally in
 * matching single or double quotes, an unquoted value ending at ` #`) or one JSON object whose
 * values are strings, numbers or booleans. Every key must be one of {@link CITY_VARIABLES}; an
 * unknown, repeated or malformed entry is a {@link ConfigError} naming the key, the file and (for
 * env files) the line. The values are then read exactly as the same variables in the environment.
 */
import { readFileSync, statSync } from 'node:fs';
import { CITY_VARIABLE_NAMES } from './city-variables.js';
import { ConfigError, type ConfigOrigin } from './config-error.js';

/** One value of a configuration file and where it was written. */
export interface CityConfigFileEntry {
  readonly value: string;
  readonly origin: ConfigOrigin;
}

/** A parsed configuration file. */
export interface CityConfigFile {
  readonly file: string;
  readonly entries: ReadonlyMap<string, CityConfigFileEntry>;
}

/** Larger than any real configuration: a guard against pointing it at the wrong file. */
const MAX_CONFIG_FILE_BYTES = 1_048_576;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SELF = 'CITY_CONFIG_FILE';

function checkKey(key: string, origin: ConfigOrigin, seen: ReadonlyMap<string, CityConfigFileEntry>): void {
  if (key === SELF) throw new ConfigError(SELF, 'a configuration file cannot name another one', origin);
  if (!CITY_VARIABLE_NAMES.has(key)) {
    throw new ConfigError(
      key,
      'unknown key: not a City Chain Auth variable (see the variables table)',
      origin,
    );
  }
  const earlier = seen.get(key);
  if (earlier !== undefined) {
    const where = earlier.origin.line === undefined ? '' : ` (first on line ${earlier.origin.line})`;
    throw new ConfigError(key, `set twice${where}`, origin);
  }
}

function unquote(raw: string): string {
  const first = raw[0];
  if ((first === '"' || first === "'") && raw.length >= 2 && raw.endsWith(first)) return raw.slice(1, -1);
  return raw.replace(/\s+#.*$/, '');
}

function parseEnvFile(file: string, text: string): Map<string, CityConfigFileEntry> {
  const entries = new Map<string, CityConfigFileEntry>();
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const origin = { file, line: index + 1 };
    const statement = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const equals = statement.indexOf('=');
    const key = equals === -1 ? statement : statement.slice(0, equals).trim();
    if (equals === -1 || !KEY.test(key)) {
      throw new ConfigError(SELF, `expected KEY=value, got ${JSON.stringify(line.slice(0, 80))}`, origin);
    }
    checkKey(key, origin, entries);
    entries.set(key, { value: unquote(statement.slice(equals + 1).trim()), origin });
  }
  return entries;
}

function parseJsonFile(file: string, text: string): Map<string, CityConfigFileEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(SELF, `"${file}" is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(SELF, `"${file}" must hold one JSON object of variables`);
  }
  const entries = new Map<string, CityConfigFileEntry>();
  for (const [key, value] of Object.entries(parsed)) {
    const origin = { file };
    checkKey(key, origin, entries);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, 'expected a string, number or boolean', origin);
    }
    entries.set(key, { value: String(value), origin });
  }
  return entries;
}

/**
 * Reads and checks a configuration file: a JSON object when its first non-blank character is `{`,
 * else env-file lines.
 *
 * @throws {ConfigError} `CONFIG_INVALID`: `CITY_CONFIG_FILE` when the file cannot be read or parsed,
 *   else the offending key with the file (and line)
 * @example
 * ```ts
 * const { entries } = readCityConfigFile('/etc/city/city.env');
 * entries.get('PORT')?.value; // '8080'
 * ```
 */
export function readCityConfigFile(file: string): CityConfigFile {
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigError(SELF, `"${file}" is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(SELF, `cannot read "${file}" (${code})`);
  }
  const entries = text.trimStart().startsWith('{') ? parseJsonFile(file, text) : parseEnvFile(file, text);
  return { file, entries };
}
