import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type Argon2Engine,
  NODE_CRYPTO_ARGON2_ENGINE,
  type NodeRsArgon2Binding,
  nodeRsArgon2Engine,
} from '../src/lib/_argon2-engine.js';
import type { Argon2Algorithm } from '../src/lib/_parse-stored-hash.js';
import { verifyPassword } from '../src/verify-password.js';
import fixture from './fixtures/phc-winner-argon2-test-c.json' with { type: 'json' };

// Known answers without secret or associated data: the shape of every password hash we write or read.
// (The RFC 9106 vector carries associated data, which only the node:crypto engine accepts.)
function loadNodeRs(): NodeRsArgon2Binding | undefined {
  try {
    return createRequire(import.meta.url)('@node-rs/argon2') as NodeRsArgon2Binding;
  } catch {
    return undefined;
  }
}
const nodeRs = loadNodeRs();
const engines: readonly (Argon2Engine | undefined)[] = [
  nodeRs && nodeRsArgon2Engine(nodeRs),
  NODE_CRYPTO_ARGON2_ENGINE,
];
const v19 = fixture.vectors.filter((v) => v.version === 19);

describe('Argon2 reference implementation vectors (phc-winner-argon2 src/test.c)', () => {
  it('the fixture holds argon2i and argon2id cases for version 19 and argon2i for version 16', () => {
    expect(v19.filter((v) => v.type === 'argon2id').length).toBeGreaterThanOrEqual(7);
    expect(v19.filter((v) => v.type === 'argon2i').length).toBeGreaterThanOrEqual(7);
    expect(fixture.vectors.filter((v) => v.version === 16).length).toBeGreaterThanOrEqual(2);
  });

  for (const engine of engines) {
    describe.skipIf(engine === undefined)(
      engine === undefined ? 'engine node-rs (pnpm install @node-rs/argon2 to run)' : `engine ${engine.name}`,
      () => {
        for (const v of v19) {
          it(`${v.type} m=${v.memoryKiB},t=${v.passes},p=${v.parallelism} ${v.password}/${v.salt}`, async () => {
            if (engine === undefined) return;
            const tag = await engine.derive({
              algorithm: v.type as Argon2Algorithm,
              message: Buffer.from(v.password),
              nonce: Buffer.from(v.salt),
              memory: v.memoryKiB,
              passes: v.passes,
              parallelism: v.parallelism,
              tagLength: v.tagHex.length / 2,
            });
            expect(Buffer.from(tag).toString('hex')).toBe(v.tagHex);
          });
        }
      },
    );
  }

  describe('verifyPassword accepts the reference encodings (engine for v=19, @noble/hashes for v=16)', () => {
    for (const v of fixture.vectors.filter((x) => x.memoryKiB <= 256)) {
      it(v.encoded, async () => {
        expect(await verifyPassword(v.encoded, v.password)).toEqual({ valid: true, needsRehash: true });
        expect((await verifyPassword(v.encoded, `${v.password}!`)).valid).toBe(false);
      });
    }

    it('the reference argon2id string at m=64 MiB verifies; only its 8-byte salt is below our minimum', async () => {
      const v = v19.find((x) => x.type === 'argon2id' && x.memoryKiB === 65536 && x.passes === 2);
      expect(v).toBeDefined();
      if (v === undefined) return;
      expect(await verifyPassword(v.encoded, v.password)).toEqual({ valid: true, needsRehash: true });
      expect(await verifyPassword(v.encoded, v.password, { minimum: { saltLength: 8 } })).toEqual({
        valid: true,
        needsRehash: false,
      });
    });
  });
});
