/** Capsules written by one process unwrap in another (fresh liboqs instance, fresh OpenSSL state). */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCapsule } from '../src/decode-capsule.js';
import { encodeCapsule } from '../src/encode-capsule.js';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { KEM_ALGORITHMS } from '../src/kem-algorithm.js';
import { unwrapKey } from '../src/unwrap-key.js';
import { wrapKey } from '../src/wrap-key.js';

const hook = fileURLToPath(new URL('./child/register-ts-resolve.mjs', import.meta.url));
const child = fileURLToPath(new URL('./child/capsule-child.ts', import.meta.url));

function runChild(request: { op: 'wrap' | 'unwrap'; key: string; data: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--no-warnings', '--import', hook, child], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`)),
    );
    proc.stdin.end(JSON.stringify(request));
  });
}

describe('cross-process capsules', () => {
  for (const algorithm of KEM_ALGORITHMS) {
    it(`${algorithm}: child wraps, parent unwraps; parent wraps, child unwraps`, async () => {
      const pair = await generateKemKeyPair(algorithm);
      const key = randomBytes(96);
      const fromChild = await runChild({ op: 'wrap', key: pair.publicKey, data: key.toString('hex') });
      expect(
        Buffer.from(
          await unwrapKey(decodeCapsule(fromChild), pair.privateKey, { label: 'city/cross-process' }),
        ),
      ).toEqual(key);

      const capsule = await wrapKey(key, pair.publicKey, { label: 'city/cross-process' });
      expect(await runChild({ op: 'unwrap', key: pair.privateKey, data: encodeCapsule(capsule) })).toBe(
        key.toString('hex'),
      );
    }, 30_000);
  }

  it('a child with the wrong key fails', async () => {
    const pair = await generateKemKeyPair();
    const wrong = await generateKemKeyPair();
    const capsule = await wrapKey(new Uint8Array(32), pair.publicKey, { label: 'city/cross-process' });
    await expect(
      runChild({ op: 'unwrap', key: wrong.privateKey, data: encodeCapsule(capsule) }),
    ).rejects.toThrow(/KEYVAULT_UNWRAP_FAILED|key unwrap failed/);
  }, 30_000);
});
