/**
 * Engine choice (@node-rs/argon2 first, node:crypto as the automatic fallback) and interchangeability:
 * a hash written by either engine verifies with the other.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { argon2Engine } from '../src/argon2-engine.js';
import {
  ARGON2_ENGINE_ENV,
  NODE_CRYPTO_ARGON2_ENGINE,
  type NodeRsArgon2Binding,
  selectArgon2Engine,
} from '../src/lib/_argon2-engine.js';

type PasswordModule = typeof import('../src/index.js');

function nodeRsLoads(): boolean {
  try {
    createRequire(import.meta.url)('@node-rs/argon2');
    return true;
  } catch {
    return false;
  }
}
const haveNodeRs = nodeRsLoads();

/** A fresh copy of the package, evaluated with `CITY_ARGON2_ENGINE` set to `setting`. */
async function loadWithEngine(setting: string): Promise<PasswordModule> {
  vi.stubEnv(ARGON2_ENGINE_ENV, setting);
  vi.resetModules();
  try {
    return await import('../src/index.js');
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
}

const realBinding = (): NodeRsArgon2Binding =>
  createRequire(import.meta.url)('@node-rs/argon2') as NodeRsArgon2Binding;
const missingBinding = (): NodeRsArgon2Binding => {
  throw new Error('Cannot find native binding');
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('engine selection', () => {
  it.skipIf(!haveNodeRs)('uses @node-rs/argon2 by default (pnpm install its prebuilt binary to run)', () => {
    const forced = process.env[ARGON2_ENGINE_ENV];
    expect(argon2Engine()).toBe(forced === 'node-crypto' ? 'node:crypto' : 'node-rs');
    expect(selectArgon2Engine(undefined, realBinding).name).toBe('node-rs');
    expect(selectArgon2Engine('', realBinding).name).toBe('node-rs');
    expect(selectArgon2Engine('auto', realBinding).name).toBe('node-rs');
    expect(selectArgon2Engine('node-rs', realBinding).name).toBe('node-rs');
  });

  it('falls back to node:crypto when the native binding cannot be loaded', () => {
    expect(selectArgon2Engine(undefined, missingBinding)).toBe(NODE_CRYPTO_ARGON2_ENGINE);
    expect(selectArgon2Engine('auto', missingBinding)).toBe(NODE_CRYPTO_ARGON2_ENGINE);
  });

  it('falls back to node:crypto when the binding loads but lacks hashRaw', () => {
    expect(selectArgon2Engine(undefined, () => ({}) as NodeRsArgon2Binding).name).toBe('node:crypto');
  });

  it('CITY_ARGON2_ENGINE=node-crypto does not even try the binding', () => {
    const load = vi.fn(realBinding);
    expect(selectArgon2Engine('node-crypto', load)).toBe(NODE_CRYPTO_ARGON2_ENGINE);
    expect(load).not.toHaveBeenCalled();
  });

  it('CITY_ARGON2_ENGINE=node-rs refuses to fall back, naming the variable and keeping the cause', () => {
    let thrown: unknown;
    try {
      selectArgon2Engine('node-rs', missingBinding);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'PasswordError', code: 'INVALID_ARGUMENT' });
    expect((thrown as Error).message).toContain('"CITY_ARGON2_ENGINE" is "node-rs"');
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });

  it('an unknown CITY_ARGON2_ENGINE value is refused with the variable named', () => {
    for (const value of ['node_crypto', 'NODE-RS', 'openssl', ' auto']) {
      expect(() => selectArgon2Engine(value, realBinding)).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining('"CITY_ARGON2_ENGINE" must be "auto", "node-rs" or "node-crypto"'),
        }),
      );
    }
  });

  it('the package fails to load with an invalid CITY_ARGON2_ENGINE rather than guessing', async () => {
    await expect(loadWithEngine('fastest')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('the variable is read once, when the package is loaded', async () => {
    const fallback = await loadWithEngine('node-crypto');
    vi.stubEnv(ARGON2_ENGINE_ENV, 'node-rs');
    expect(fallback.argon2Engine()).toBe('node:crypto');
  });
});

describe.skipIf(!haveNodeRs)(
  'node-rs and node:crypto engines are interchangeable (pnpm install @node-rs/argon2 to run)',
  () => {
    const optionSets = [
      undefined,
      { memory: 64, passes: 1, parallelism: 1 },
      { memory: 512, passes: 3, parallelism: 4, tagLength: 64, saltLength: 32 },
    ];

    it('each copy reports the engine it was told to use', async () => {
      expect((await loadWithEngine('node-rs')).argon2Engine()).toBe('node-rs');
      expect((await loadWithEngine('node-crypto')).argon2Engine()).toBe('node:crypto');
    });

    for (const options of optionSets) {
      const label = JSON.stringify(options ?? 'defaults');
      it(`a hash made by the fallback verifies with the primary engine, ${label}`, async () => {
        const [primary, fallback] = [await loadWithEngine('node-rs'), await loadWithEngine('node-crypto')];
        const stored = await fallback.hashPassword('パスワード correct', options);
        expect(await primary.verifyPassword(stored, 'パスワード correct')).toEqual(
          await fallback.verifyPassword(stored, 'パスワード correct'),
        );
        expect((await primary.verifyPassword(stored, 'パスワード correct')).valid).toBe(true);
        expect((await primary.verifyPassword(stored, 'パスワード correcT')).valid).toBe(false);
      });

      it(`a hash made by the primary engine verifies with the fallback, ${label}`, async () => {
        const [primary, fallback] = [await loadWithEngine('node-rs'), await loadWithEngine('node-crypto')];
        const stored = await primary.hashPassword('ｐａｓｓ word', options);
        expect((await fallback.verifyPassword(stored, 'pass word')).valid).toBe(true);
        expect((await fallback.verifyPassword(stored, 'pass w0rd')).valid).toBe(false);
      });
    }

    it('the unknown-user dummy verify answers the same on both engines', async () => {
      for (const copy of [await loadWithEngine('node-rs'), await loadWithEngine('node-crypto')]) {
        expect(await copy.verifyDummyPassword('anything')).toEqual({ valid: false, needsRehash: false });
      }
    });
  },
);
