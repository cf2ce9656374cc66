import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const WRONG_TYPES: unknown[] = [
  undefined,
  null,
  42,
  true,
  {},
  [],
  Buffer.from('pw'),
  Symbol('pw'),
  () => 'pw',
];

async function codeOf(run: () => unknown): Promise<[string | undefined, string]> {
  try {
    await run();
    return [undefined, ''];
  } catch (err) {
    expect(err).toBeInstanceOf(api.PasswordError);
    return [(err as api.PasswordError).code, (err as Error).message];
  }
}

type Call = [name: string, param: string, run: (bad: unknown) => unknown];
const STORED =
  '$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g';
const calls: Call[] = [
  ['hashPassword', 'password', (bad) => api.hashPassword(bad as string)],
  ['verifyPassword', 'stored', (bad) => api.verifyPassword(bad as string, 'pw')],
  ['verifyPassword', 'password', (bad) => api.verifyPassword(STORED, bad as string)],
  ['verifyDummyPassword', 'password', (bad) => api.verifyDummyPassword(bad as string)],
  ['hashLegacySha256', 'password', (bad) => api.hashLegacySha256(bad as string)],
  ['normalizePassword', 'password', (bad) => api.normalizePassword(bad as string)],
  ['checkPasswordPolicy', 'password', (bad) => api.checkPasswordPolicy(bad as string)],
  ['assertPasswordPolicy', 'password', (bad) => api.assertPasswordPolicy(bad as string)],
];

describe('wrong types answer INVALID_ARGUMENT naming the parameter', () => {
  for (const [fn, param, run] of calls) {
    for (const bad of WRONG_TYPES) {
      it(`${fn}(${param} = ${typeof bad === 'symbol' ? 'symbol' : Array.isArray(bad) ? '[]' : String(typeof bad === 'function' ? 'function' : JSON.stringify(bad))})`, async () => {
        const [code, message] = await codeOf(() => run(bad));
        expect(code).toBe('INVALID_ARGUMENT');
        expect(message).toContain(`"${param}"`);
      });
    }
  }

  for (const [fn, run] of [
    ['hashPassword', (s: string) => api.hashPassword(s)],
    ['verifyPassword', (s: string) => api.verifyPassword(STORED, s)],
    ['normalizePassword', (s: string) => api.normalizePassword(s)],
    ['checkPasswordPolicy', (s: string) => api.checkPasswordPolicy(s)],
    ['hashLegacySha256', (s: string) => api.hashLegacySha256(s)],
  ] as const) {
    it(`${fn} refuses a lone surrogate (it would collide with U+FFFD in UTF-8)`, async () => {
      const [code, message] = await codeOf(() => run('password\uD800'));
      expect(code).toBe('INVALID_ARGUMENT');
      expect(message).toContain('"password"');
    });
  }

  it('hashPassword refuses an empty password', async () => {
    expect((await codeOf(() => api.hashPassword('')))[0]).toBe('INVALID_ARGUMENT');
  });
});

describe('hashPassword options', () => {
  const bad: Array<[string, unknown]> = [
    ['options', null],
    ['options', 'fast'],
    ['options', []],
    ['options.memory', 7],
    ['options.memory', 1024 * 1024 + 1],
    ['options.memory', 19456.5],
    ['options.memory', '19456'],
    ['options.memory', Number.NaN],
    ['options.passes', 0],
    ['options.passes', 101],
    ['options.parallelism', 0],
    ['options.parallelism', 65],
    ['options.tagLength', 15],
    ['options.tagLength', 129],
    ['options.saltLength', 7],
    ['options.saltLength', 65],
  ];
  for (const [param, value] of bad) {
    it(`${param} = ${String(value)}`, async () => {
      const key = param.split('.')[1];
      const options = key === undefined ? value : { [key]: value };
      const [code, message] = await codeOf(() => api.hashPassword('pw', options as api.Argon2Options));
      expect(code).toBe('INVALID_ARGUMENT');
      expect(message).toContain(`"${param}"`);
    });
  }

  it('memory below 8 × parallelism is refused (RFC 9106 section 3.1)', async () => {
    const [code, message] = await codeOf(() => api.hashPassword('pw', { memory: 16, parallelism: 4 }));
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toContain('"options.memory"');
  });

  it('verifyPassword validates policy.minimum the same way', async () => {
    const [code, message] = await codeOf(() => api.verifyPassword(STORED, 'pw', { minimum: { passes: -1 } }));
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toContain('"policy.minimum.passes"');
    expect((await codeOf(() => api.verifyPassword(STORED, 'pw', 'x' as never)))[0]).toBe('INVALID_ARGUMENT');
  });
});

describe('salts', () => {
  for (const bytes of [0, -1, 1025, 1.5, '16', null, Number.POSITIVE_INFINITY]) {
    it(`generateSalt(${String(bytes)}) → INVALID_ARGUMENT naming "bytes"`, async () => {
      const [code, message] = await codeOf(() => api.generateSalt(bytes as number));
      expect(code).toBe('INVALID_ARGUMENT');
      expect(message).toContain('"bytes"');
    });
  }

  for (const salt of ['00ff', [1, 2], new Uint8Array(0), new Uint8Array(1025), null]) {
    it(`hashLegacySha256 salt ${Object.prototype.toString.call(salt)} length ${String((salt as { length?: number } | null)?.length)}`, async () => {
      const [code, message] = await codeOf(() => api.hashLegacySha256('pw', salt as Uint8Array));
      expect(code).toBe('INVALID_ARGUMENT');
      expect(message).toContain('"salt"');
    });
  }

  it('generateSalt returns fresh random bytes of the asked length', () => {
    expect(api.generateSalt()).toBeInstanceOf(Uint8Array);
    expect(api.generateSalt().length).toBe(16);
    expect(api.generateSalt(32).length).toBe(32);
    expect(Buffer.from(api.generateSalt()).equals(Buffer.from(api.generateSalt()))).toBe(false);
  });
});

describe('policy context', () => {
  for (const [field, context] of [
    ['context', 'alice'],
    ['context.username', { username: 42 }],
    ['context.email', { email: null }],
  ] as const) {
    it(`${field} of the wrong type`, async () => {
      const [code, message] = await codeOf(() =>
        api.checkPasswordPolicy('a fine passphrase', context as never),
      );
      expect(code).toBe('INVALID_ARGUMENT');
      expect(message).toContain(`"${field}"`);
    });
  }
});
