/**
 * Configuration from a file (`CITY_CONFIG_FILE` or the caller's `configFile`): env-file lines and
 * JSON objects, the environment over the file, and refusals that name the key, the file and the
 * line. The one list of variables is checked against the names the loaders actually read.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORAGE_ENV_VARS } from '@city/db-integration';
import { describe, expect, it } from 'vitest';
import {
  CITY_VARIABLE_NAMES,
  CITY_VARIABLES,
  ConfigError,
  loadCityConfig,
  loadServerConfig,
  readCityConfigFile,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'city-config-file-'));
let counter = 0;
function file(text: string, extension = 'env'): string {
  counter += 1;
  const path = join(dir, `config-${counter}.${extension}`);
  writeFileSync(path, text);
  return path;
}

function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('env files', () => {
  it('reads KEY=value lines with comments, export, quotes and trailing comments', () => {
    const path = file(
      [
        '# City Chain Auth',
        '',
        'CITY_MODE=mongodb',
        'export MONGODB_URI="mongodb://127.0.0.1:27017"',
        "CITY_MONGODB_DB='city_test'",
        'CITY_ISSUER=https://auth.example # the public name',
        '  CITY_FINGERPRINT_LOGIN = on  ',
        'CITY_DATA_DIR=/srv/city',
      ].join('\n'),
    );
    const config = loadCityConfig({}, { configFile: path });
    expect(config).toMatchObject({
      mode: 'mongodb',
      mongodb: { uri: 'mongodb://127.0.0.1:27017', dbName: 'city_test' },
      issuer: 'https://auth.example',
      fingerprintLogin: true,
      dataDir: '/srv/city',
      secretsDir: '/srv/city',
      configFile: path,
    });
  });

  it('the environment overrides the file; a blank environment value does not', () => {
    const path = file('CITY_ISSUER=from-file\nCITY_AUDIENCE=file-audience\nCITY_DATA_DIR=/file\n');
    const config = loadCityConfig(
      { CITY_ISSUER: 'from-env', CITY_AUDIENCE: '  ', CITY_CONFIG_FILE: path },
      {},
    );
    expect(config.issuer).toBe('from-env');
    expect(config.audience).toBe('file-audience');
    expect(config.configFile).toBe(path);
    // The caller's data directory (a --data-dir flag) wins over both.
    expect(loadCityConfig({}, { configFile: path, dataDir: '/flag' }).dataDir).toBe('/flag');
  });

  it('the configFile option wins over CITY_CONFIG_FILE', () => {
    const one = file('CITY_ISSUER=one\n');
    const two = file('CITY_ISSUER=two\n');
    expect(loadCityConfig({ CITY_CONFIG_FILE: one }, { configFile: two }).issuer).toBe('two');
  });

  it('refuses an unknown key, naming it, the file and the line', () => {
    const path = file('CITY_MODE=embedded\n# metrics\nCITY_METRCS=on\n');
    const error = refusal(() => loadCityConfig({}, { configFile: path }));
    expect(error.variable).toBe('CITY_METRCS');
    expect(error.origin).toEqual({ file: path, line: 3 });
    expect(error.message).toBe(
      `CITY_METRCS: unknown key: not a City Chain Auth variable (see the variables table) (${path} line 3)`,
    );
  });

  it('refuses a bad value from the file, naming the variable, the file and the line', () => {
    const path = file('CITY_DATA_DIR=/x\nCITY_ACCESS_CACHE_SIZE=lots\n');
    const error = refusal(() => loadCityConfig({}, { configFile: path }));
    expect(error.variable).toBe('CITY_ACCESS_CACHE_SIZE');
    expect(error.message).toBe(`CITY_ACCESS_CACHE_SIZE: expected an integer, got "lots" (${path} line 2)`);
  });

  it('a bad value from the environment is named without the file', () => {
    const path = file('CITY_DATA_DIR=/x\n');
    const error = refusal(() => loadCityConfig({ CITY_MODE: 'sqlite' }, { configFile: path }));
    expect(error.variable).toBe('CITY_MODE');
    expect(error.origin).toBeUndefined();
    expect(error.message).toBe('CITY_MODE: expected one of embedded, aws, mongodb, got "sqlite"');
  });

  it('a bad AWS storage value from the file names the variable and the line', () => {
    const path = file('CITY_MODE=aws\nCITY_DYNAMODB_MAX_ATTEMPTS=many\n');
    const error = refusal(() => loadCityConfig({}, { configFile: path }));
    expect(error.variable).toBe('CITY_DYNAMODB_MAX_ATTEMPTS');
    expect(error.origin).toEqual({ file: path, line: 2 });
  });

  it.each([
    ['a line without =', 'CITY_MODE\n', 'CITY_CONFIG_FILE', 1],
    ['a malformed key', 'CITY-MODE=embedded\n', 'CITY_CONFIG_FILE', 1],
    ['a repeated key', 'CITY_ISSUER=a\n\nCITY_ISSUER=b\n', 'CITY_ISSUER', 3],
    ['a file naming another file', 'CITY_CONFIG_FILE=/etc/other.env\n', 'CITY_CONFIG_FILE', 1],
  ])('refuses %s', (_name, text, variable, line) => {
    const path = file(text);
    const error = refusal(() => readCityConfigFile(path));
    expect(error.variable).toBe(variable);
    expect(error.origin).toEqual({ file: path, line });
  });

  it('refuses a file that cannot be read, naming CITY_CONFIG_FILE and the reason', () => {
    const missing = join(dir, 'missing.env');
    const error = refusal(() => loadCityConfig({ CITY_CONFIG_FILE: missing }));
    expect(error.variable).toBe('CITY_CONFIG_FILE');
    expect(error.message).toBe(`CITY_CONFIG_FILE: cannot read "${missing}" (ENOENT)`);
    expect(refusal(() => loadCityConfig({}, { configFile: dir })).message).toMatch(/\(EISDIR\)$/);
  });
});

describe('JSON files', () => {
  it('reads an object of strings, numbers and booleans', () => {
    const path = file(
      JSON.stringify({
        CITY_DATA_DIR: '/srv/city',
        CITY_ACCESS_CACHE_SIZE: 250,
        CITY_FINGERPRINT_LOGIN: true,
      }),
      'json',
    );
    expect(loadCityConfig({}, { configFile: path })).toMatchObject({
      dataDir: '/srv/city',
      accessCacheSize: 250,
      fingerprintLogin: true,
    });
  });

  it('a multi-line root key can be given as a JSON string', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const path = file(JSON.stringify({ CITY_KEM_PRIVATE_KEY: pem }), 'json');
    expect(loadCityConfig({}, { configFile: path }).rootKey).toEqual({ pem: pem.trim() });
  });

  it.each([
    ['an unknown key', { CITY_MODE: 'embedded', PORTT: 3000 }, 'PORTT'],
    ['a nested value', { CITY_ISSUER: { name: 'x' } }, 'CITY_ISSUER'],
    ['a null value', { CITY_AUDIENCE: null }, 'CITY_AUDIENCE'],
  ])('refuses %s, naming the key and the file', (_name, object, variable) => {
    const path = file(JSON.stringify(object), 'json');
    const error = refusal(() => loadCityConfig({}, { configFile: path }));
    expect(error.variable).toBe(variable);
    expect(error.origin).toEqual({ file: path });
    expect(error.message.endsWith(`(in ${path})`)).toBe(true);
  });

  it.each([
    ['invalid JSON', '{ "CITY_MODE": '],
    ['an array', '[{"CITY_MODE":"embedded"}]'],
  ])('refuses %s as CITY_CONFIG_FILE', (_name, text) => {
    const path = file(text, 'json');
    expect(refusal(() => loadCityConfig({}, { configFile: path })).variable).toBe('CITY_CONFIG_FILE');
  });

  it('a bad value in a JSON file names the key and the file', () => {
    const path = file(JSON.stringify({ CITY_MODE: 'sqlite' }), 'json');
    expect(refusal(() => loadCityConfig({}, { configFile: path })).message).toBe(
      `CITY_MODE: expected one of embedded, aws, mongodb, got "sqlite" (in ${path})`,
    );
  });
});

describe('loadServerConfig', () => {
  it('reads the HTTP variables from the same file, under the environment', () => {
    const path = file('HOST=0.0.0.0\nPORT=8080\nCITY_METRICS=9464\nLOG_LEVEL=warn\nCITY_RATE_LIMIT=10\n');
    const config = loadServerConfig({ PORT: '9090' }, { configFile: path });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      logLevel: 'warn',
      rateLimitPerMinute: 10,
      metrics: { mode: 'port', host: '0.0.0.0', port: 9464 },
      configFile: path,
    });
  });

  it('a bad HTTP value from the file names the variable and the line', () => {
    const path = file('PORT=8080\nCITY_METRICS=8080\n');
    const error = refusal(() => loadServerConfig({}, { configFile: path }));
    expect(error.variable).toBe('CITY_METRICS');
    expect(error.origin).toEqual({ file: path, line: 2 });
  });

  it('a core value from the file is checked by the same parser', () => {
    const path = file('CITY_EMBEDDED_STORE=leveldb\n');
    expect(refusal(() => loadServerConfig({}, { configFile: path })).origin).toEqual({ file: path, line: 1 });
  });
});

describe('CITY_VARIABLES', () => {
  it('lists each name once, every storage variable of db-integration included', () => {
    expect(CITY_VARIABLE_NAMES.size).toBe(CITY_VARIABLES.length);
    for (const variable of STORAGE_ENV_VARS) expect(CITY_VARIABLE_NAMES.has(variable.name)).toBe(true);
  });

  it('lists exactly the variables the loaders of this package read', () => {
    const srcDir = join(import.meta.dirname, '..', 'src');
    const read = new Set<string>();
    const reader = /read(?:Variable|Integer|OnOff|OneOf|BaseUrl)\(\s*\w+,\s*'([A-Z][A-Z0-9_]*)'/g;
    for (const name of readdirSync(srcDir).filter((entry) => entry.endsWith('.ts'))) {
      const text = readFileSync(join(srcDir, name), 'utf8');
      // TSDoc examples are not reads.
      const code = text.replace(/\/\*\*[\s\S]*?\*\//g, '');
      for (const match of code.matchAll(reader)) read.add(match[1]!);
    }
    const own = CITY_VARIABLES.filter((variable) => variable.scope !== 'aws').map(
      (variable) => variable.name,
    );
    expect([...read].sort()).toEqual([...own].sort());
  });
});
