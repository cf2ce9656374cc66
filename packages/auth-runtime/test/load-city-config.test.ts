/**
 * The one `CITY_*` parser both apps use: defaults, every variable, and the variable named by each
 * refusal. The apps' own config tests check the same variables through their loaders.
 */
import { describe, expect, it } from 'vitest';
import { authOverridesOf, ConfigError, loadCityConfig } from '../src/index.js';

describe('loadCityConfig', () => {
  it('has the documented defaults', () => {
    expect(loadCityConfig({})).toEqual({
      mode: 'embedded',
      dataDir: './.city',
      embeddedStore: undefined,
      storage: undefined,
      mongodb: undefined,
      secretsDir: './.city',
      rootKey: undefined,
      issuer: undefined,
      audience: undefined,
      fingerprintLogin: false,
      accessCacheSize: undefined,
      sqliteSynchronous: 'auth',
      auditRetentionDays: 400,
      outboxMaxBytes: 64 * 1024 * 1024,
      workers: 1,
    });
  });

  it('reads every variable, trims values and treats blank as unset', () => {
    const config = loadCityConfig({
      CITY_MODE: ' mongodb ',
      CITY_DATA_DIR: '/var/lib/city',
      CITY_SECRETS_DIR: '/run/secrets/city',
      CITY_ROOT_KEY_FILE: '/run/keys/city-kem.key',
      CITY_EMBEDDED_STORE: 'dynalite',
      MONGODB_URI: 'mongodb://127.0.0.1:27017',
      CITY_MONGODB_DB: 'city_test',
      CITY_MONGODB_PII: ' csfle ',
      CITY_ISSUER: 'https://auth.example',
      CITY_AUDIENCE: '   ',
      CITY_FINGERPRINT_LOGIN: 'ON',
      CITY_ACCESS_CACHE_SIZE: '0',
      CITY_SQLITE_SYNCHRONOUS: ' normal ',
      CITY_AUDIT_RETENTION_DAYS: ' 30 ',
      CITY_OUTBOX_MAX_BYTES: '1048576',
      CITY_WORKERS: '1',
      CITY_PUBLIC_BASE_URL: ' https://Auth.Example/city// ',
    });
    expect(config).toEqual({
      mode: 'mongodb',
      dataDir: '/var/lib/city',
      secretsDir: '/run/secrets/city',
      rootKey: { file: '/run/keys/city-kem.key' },
      embeddedStore: 'dynalite',
      storage: undefined,
      mongodb: { uri: 'mongodb://127.0.0.1:27017', dbName: 'city_test', piiEncryption: 'csfle' },
      issuer: 'https://auth.example',
      audience: undefined,
      fingerprintLogin: true,
      accessCacheSize: 0,
      sqliteSynchronous: 'normal',
      auditRetentionDays: 30,
      outboxMaxBytes: 1_048_576,
      workers: 1,
      publicBaseUrl: 'https://auth.example/city',
    });
  });

  it('CITY_WORKERS takes a count or auto, and more than one only on the embedded SQLite store', () => {
    expect(loadCityConfig({ CITY_WORKERS: '4' }).workers).toBe(4);
    expect(loadCityConfig({ CITY_WORKERS: 'AUTO' }).workers).toBe('auto');
    expect(loadCityConfig({ CITY_WORKERS: '2', CITY_EMBEDDED_STORE: 'sqlite' }).workers).toBe(2);
    // auto resolves to one process on the stores that cannot share (decided when the store is known).
    expect(loadCityConfig({ CITY_WORKERS: 'auto', CITY_EMBEDDED_STORE: 'dynalite' }).workers).toBe('auto');
    const refusals: readonly [Record<string, string>, RegExp][] = [
      [{ CITY_WORKERS: '0' }, /from 1 to 256/],
      [{ CITY_WORKERS: '257' }, /from 1 to 256/],
      [{ CITY_WORKERS: 'many' }, /expected an integer/],
      [{ CITY_WORKERS: '2', CITY_EMBEDDED_STORE: 'dynalite' }, /embedded SQLite store/],
      [{ CITY_WORKERS: '2', CITY_MODE: 'mongodb', MONGODB_URI: 'mongodb://127.0.0.1' }, /CITY_MODE=mongodb/],
    ];
    for (const [env, message] of refusals) {
      let thrown: unknown;
      try {
        loadCityConfig(env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).variable).toBe('CITY_WORKERS');
      expect((thrown as ConfigError).message).toMatch(message);
    }
  });

  it('CITY_AUDIT_RETENTION_DAYS is 0..36500 days, 0 and unset meaning the default 400', () => {
    expect(loadCityConfig({ CITY_AUDIT_RETENTION_DAYS: '7' }).auditRetentionDays).toBe(7);
    expect(loadCityConfig({ CITY_AUDIT_RETENTION_DAYS: '0' }).auditRetentionDays).toBe(400);
    expect(loadCityConfig({ CITY_AUDIT_RETENTION_DAYS: '  ' }).auditRetentionDays).toBe(400);
    expect(loadCityConfig({ CITY_AUDIT_RETENTION_DAYS: '36500' }).auditRetentionDays).toBe(36_500);
    for (const bad of ['-1', '36501', '1.5', 'forever']) {
      expect(() => loadCityConfig({ CITY_AUDIT_RETENTION_DAYS: bad })).toThrow(
        /CITY_AUDIT_RETENTION_DAYS: expected/,
      );
    }
  });

  it('CITY_OUTBOX_MAX_BYTES is 4096..2^40 bytes, default 64 MiB', () => {
    expect(loadCityConfig({ CITY_OUTBOX_MAX_BYTES: '4096' }).outboxMaxBytes).toBe(4096);
    expect(loadCityConfig({}).outboxMaxBytes).toBe(67_108_864);
    for (const bad of ['0', '4095', String(2 ** 40 + 1), '64MiB']) {
      expect(() => loadCityConfig({ CITY_OUTBOX_MAX_BYTES: bad })).toThrow(/CITY_OUTBOX_MAX_BYTES: expected/);
    }
  });

  it('CITY_SQLITE_SYNCHRONOUS is auth, full or normal', () => {
    expect(loadCityConfig({ CITY_SQLITE_SYNCHRONOUS: 'full' }).sqliteSynchronous).toBe('full');
    expect(loadCityConfig({ CITY_SQLITE_SYNCHRONOUS: 'auth' }).sqliteSynchronous).toBe('auth');
    expect(() => loadCityConfig({ CITY_SQLITE_SYNCHRONOUS: 'off' })).toThrow(
      /CITY_SQLITE_SYNCHRONOUS: expected one of auth, full, normal, got "off"/,
    );
  });

  it('a data directory given by the caller replaces CITY_DATA_DIR and is the default secrets directory', () => {
    const config = loadCityConfig({ CITY_DATA_DIR: '/from/env' }, { dataDir: '/from/flag' });
    expect(config.dataDir).toBe('/from/flag');
    expect(config.secretsDir).toBe('/from/flag');
  });

  it('aws mode reads the storage variables', () => {
    const config = loadCityConfig({
      CITY_MODE: 'aws',
      CITY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      CITY_TABLE_PREFIX: 'test_',
    });
    expect(config.storage?.dynamodb.endpoint).toBe('http://127.0.0.1:8000');
    expect(config.storage?.dynamodb.tables.users).toMatch(/^test_/);
  });

  it.each([
    [{ CITY_MODE: 'sqlite' }, 'CITY_MODE'],
    [{ CITY_EMBEDDED_STORE: 'leveldb' }, 'CITY_EMBEDDED_STORE'],
    [{ CITY_MODE: 'mongodb' }, 'MONGODB_URI'],
    [{ CITY_MODE: 'mongodb', MONGODB_URI: 'http://x' }, 'MONGODB_URI'],
    [{ CITY_MODE: 'mongodb', MONGODB_URI: 'mongodb://127.0.0.1', CITY_MONGODB_DB: 'a/b' }, 'CITY_MONGODB_DB'],
    [
      { CITY_MODE: 'mongodb', MONGODB_URI: 'mongodb://127.0.0.1', CITY_MONGODB_PII: 'aes' },
      'CITY_MONGODB_PII',
    ],
    [{ CITY_MODE: 'aws', CITY_DYNAMODB_MAX_ATTEMPTS: 'many' }, 'CITY_DYNAMODB_MAX_ATTEMPTS'],
    [{ CITY_FINGERPRINT_LOGIN: 'maybe' }, 'CITY_FINGERPRINT_LOGIN'],
    [{ CITY_ROOT_KEY_FILE: '/k', CITY_KEM_PRIVATE_KEY: 'pem' }, 'CITY_ROOT_KEY_FILE'],
    [{ CITY_ACCESS_CACHE_SIZE: '-1' }, 'CITY_ACCESS_CACHE_SIZE'],
    [{ CITY_ACCESS_CACHE_SIZE: '1000001' }, 'CITY_ACCESS_CACHE_SIZE'],
    [{ CITY_PUBLIC_BASE_URL: 'auth.example' }, 'CITY_PUBLIC_BASE_URL'],
    [{ CITY_PUBLIC_BASE_URL: 'javascript:alert(1)' }, 'CITY_PUBLIC_BASE_URL'],
    [{ CITY_PUBLIC_BASE_URL: 'ftp://auth.example' }, 'CITY_PUBLIC_BASE_URL'],
    [{ CITY_PUBLIC_BASE_URL: 'https://auth.example/?x=1' }, 'CITY_PUBLIC_BASE_URL'],
    [{ CITY_PUBLIC_BASE_URL: 'https://user:pw@auth.example' }, 'CITY_PUBLIC_BASE_URL'],
  ])('%j is CONFIG_INVALID naming %s', (env, variable) => {
    let thrown: unknown;
    try {
      loadCityConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', variable });
    expect((thrown as Error).message.startsWith(`${variable}: `)).toBe(true);
  });
});

describe('authOverridesOf', () => {
  it('passes issuer, audience, the access cache (0 included) and fingerprint login on, and leaves unset ones out', () => {
    expect(
      authOverridesOf(loadCityConfig({ CITY_ISSUER: 'i', CITY_AUDIENCE: 'a', CITY_ACCESS_CACHE_SIZE: '0' })),
    ).toEqual({ issuer: 'i', audience: 'a', accessCacheSize: 0, proofModes: { fingerprint: false } });
    expect(authOverridesOf(loadCityConfig({ CITY_FINGERPRINT_LOGIN: 'on' }))).toEqual({
      proofModes: { fingerprint: true },
    });
  });
});
