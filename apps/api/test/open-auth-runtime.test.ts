/**
 * The API configuration reaches registration-core: `CITY_ACCESS_CACHE_SIZE` as the core's
 * `accessCacheSize` (unset leaves the core default) and `CITY_EMBEDDED_STORE` as the embedded
 * store, observed by the files each store leaves in the data directory.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { authOverridesOf, openAuthRuntime } from '../src/open-auth-runtime.js';

describe('authOverridesOf', () => {
  it('passes CITY_ACCESS_CACHE_SIZE on, 0 included, and leaves it out when unset', () => {
    expect(authOverridesOf(loadConfig({ CITY_ACCESS_CACHE_SIZE: '0' })).accessCacheSize).toBe(0);
    expect(authOverridesOf(loadConfig({ CITY_ACCESS_CACHE_SIZE: '250' })).accessCacheSize).toBe(250);
    expect(authOverridesOf(loadConfig({}))).not.toHaveProperty('accessCacheSize');
  });
});

describe('openAuthRuntime in embedded mode', () => {
  it.each([
    [{}, 'city.db', 'dynamodb'],
    [{ CITY_EMBEDDED_STORE: 'sqlite' }, 'city.db', 'dynamodb'],
    [{ CITY_EMBEDDED_STORE: 'dynalite' }, 'dynamodb', 'city.db'],
  ] as const)('with %j keeps its records in %s, not %s', async (env, present, absent) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'city-api-runtime-'));
    try {
      const runtime = await openAuthRuntime(loadConfig({ CITY_DATA_DIR: dataDir, ...env }));
      try {
        await expect(runtime.auth.createLoginChallenge({}, {})).resolves.toHaveProperty('challengeId');
      } finally {
        await runtime.close();
      }
      expect(existsSync(join(dataDir, present))).toBe(true);
      expect(existsSync(join(dataDir, absent))).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
