import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CITY_VARIABLES } from '@city/auth-runtime';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TLS_GROUPS, loadConfig } from '../src/config.js';
import { preferredLanguage } from '../src/preferred-language.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'embedded',
      dataDir: './.city',
      host: '127.0.0.1',
      port: 3000,
      trustedProxies: [],
      tls: undefined,
      fingerprintLogin: false,
      bodyLimit: 65_536,
      logLevel: 'info',
      rateLimitPerMinute: 600,
      credentialRateLimitPerMinute: 60,
      embeddedStore: undefined,
      accessCacheSize: undefined,
    });
    expect(config.webRoot).toMatch(/web$/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      CITY_DATA_DIR: '/tmp/x',
      HOST: '0.0.0.0',
      PORT: '0',
      CITY_ISSUER: 'https://auth.example',
      CITY_AUDIENCE: 'city',
      TRUSTED_PROXY: '10.0.0.1, ::1',
      CITY_FINGERPRINT_LOGIN: 'on',
      CITY_BODY_LIMIT: '2048',
      LOG_LEVEL: 'silent',
      CITY_RATE_LIMIT: '0',
      CITY_EMBEDDED_STORE: 'dynalite',
      CITY_ACCESS_CACHE_SIZE: '0',
    });
    expect(config).toMatchObject({
      dataDir: '/tmp/x',
      host: '0.0.0.0',
      port: 0,
      issuer: 'https://auth.example',
      audience: 'city',
      trustedProxies: ['10.0.0.1', '::1'],
      fingerprintLogin: true,
      bodyLimit: 2048,
      logLevel: 'silent',
      rateLimitPerMinute: 0,
      embeddedStore: 'dynalite',
      accessCacheSize: 0,
    });
  });

  it('reads the TLS files and offers the hybrid group by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'city-api-config-'));
    writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const config = loadConfig({ CITY_TLS_CERT: join(dir, 'cert.pem'), CITY_TLS_KEY: join(dir, 'key.pem') });
    expect(config.tls).toMatchObject({ requestClientCertificate: true, groups: DEFAULT_TLS_GROUPS });
    expect(() =>
      loadConfig({ CITY_TLS_CERT: join(dir, 'key.pem'), CITY_TLS_KEY: join(dir, 'key.pem') }),
    ).toThrow(/CITY_TLS_CERT/);
  });

  const invalid: [Record<string, string>, string][] = [
    [{ CITY_MODE: 'sqlite' }, 'CITY_MODE'],
    [{ CITY_EMBEDDED_STORE: 'leveldb' }, 'CITY_EMBEDDED_STORE'],
    [{ CITY_ACCESS_CACHE_SIZE: '-1' }, 'CITY_ACCESS_CACHE_SIZE'],
    [{ CITY_ACCESS_CACHE_SIZE: '2000000' }, 'CITY_ACCESS_CACHE_SIZE'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ HOST: 'bad host!' }, 'HOST'],
    [{ TRUSTED_PROXY: 'proxy.example' }, 'TRUSTED_PROXY'],
    [{ CITY_FINGERPRINT_LOGIN: 'maybe' }, 'CITY_FINGERPRINT_LOGIN'],
    [{ CITY_BODY_LIMIT: '10' }, 'CITY_BODY_LIMIT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CITY_RATE_LIMIT: '1.5' }, 'CITY_RATE_LIMIT'],
    [{ CITY_TLS_CERT: '/nonexistent/cert.pem' }, 'CITY_TLS_KEY'],
    [{ CITY_TLS_CERT: '/nonexistent/cert.pem', CITY_TLS_KEY: '/nonexistent/key.pem' }, 'CITY_TLS_CERT'],
    [{ CITY_MODE: 'mongodb' }, 'MONGODB_URI'],
    [{ CITY_MODE: 'mongodb', MONGODB_URI: 'http://x' }, 'MONGODB_URI'],
    [{ CITY_MODE: 'mongodb', MONGODB_URI: 'mongodb://127.0.0.1', CITY_MONGODB_DB: 'a/b' }, 'CITY_MONGODB_DB'],
    [{ CITY_MODE: 'aws', CITY_DYNAMODB_MAX_ATTEMPTS: 'many' }, 'CITY_DYNAMODB_MAX_ATTEMPTS'],
  ];
  it.each(invalid)('refuses %j naming %s', (env, variable) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
    expect((thrown as ConfigError).code).toBe('CONFIG_INVALID');
  });
});

describe('preferredLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ja', 'ja'],
    ['ja-JP,ja;q=0.9,en;q=0.8', 'ja'],
    ['en-US,en;q=0.9,ja;q=0.8', 'en'],
    ['fr,ja;q=0.5', 'ja'],
    ['ja;q=0, en', 'en'],
    ['*', 'en'],
    ['ja;q=abc', 'en'],
  ])('%j → %s', (header, expected) => {
    expect(preferredLanguage(header)).toBe(expected);
  });
});

describe('the README variables table', () => {
  it('lists exactly the variables of CITY_VARIABLES, the one list the loaders read', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
    );
    const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((match) => match[1]);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(CITY_VARIABLES.map((variable) => variable.name).sort());
  });
});
