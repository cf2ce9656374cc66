import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatKemPrivateKeyPem } from '../src/format-kem-private-key-pem.js';
import { generateKemKeyPair } from '../src/generate-kem-key-pair.js';
import { loadKemPrivateKey } from '../src/load-kem-private-key.js';
import { expectCode } from './_helpers.js';

const dir = await mkdtemp(join(tmpdir(), 'city-kem-key-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadKemPrivateKey', async () => {
  const pair = await generateKemKeyPair('x25519+ntru-hrss-701');

  it('reads PEM armour and bare base64 from a file', async () => {
    const pemFile = join(dir, 'kem.pem');
    await writeFile(pemFile, formatKemPrivateKeyPem(pair.privateKey));
    expect(await loadKemPrivateKey({ file: pemFile })).toBe(pair.privateKey);
    const b64File = join(dir, 'kem.b64');
    await writeFile(b64File, `${pair.privateKey}\n`);
    expect(await loadKemPrivateKey({ file: b64File })).toBe(pair.privateKey);
  });

  it('reads an environment variable (default CITY_KEM_PRIVATE_KEY or a named one)', async () => {
    expect(await loadKemPrivateKey({ env: { CITY_KEM_PRIVATE_KEY: pair.privateKey } })).toBe(pair.privateKey);
    const pem = formatKemPrivateKeyPem(pair.privateKey);
    expect(await loadKemPrivateKey({ envVar: 'K', env: { K: pem } })).toBe(pair.privateKey);
  });

  it('PEM armour has 64-column lines and the CITY KEM PRIVATE KEY label', () => {
    const pem = formatKemPrivateKeyPem(pair.privateKey);
    const lines = pem.trim().split('\n');
    expect(lines[0]).toBe('-----BEGIN CITY KEM PRIVATE KEY-----');
    expect(lines.at(-1)).toBe('-----END CITY KEM PRIVATE KEY-----');
    for (const line of lines.slice(1, -1)) expect(line.length).toBeLessThanOrEqual(64);
  });

  it('errors name the source but never the content', async () => {
    const broken = `${pair.privateKey.slice(0, 200)}AAAA`;
    const error = await expectCode(
      loadKemPrivateKey({ env: { CITY_KEM_PRIVATE_KEY: broken } }),
      'KEY_MALFORMED',
    );
    expect(error.message).toContain('CITY_KEM_PRIVATE_KEY');
    expect(error.message).not.toContain(broken.slice(20, 60));
    await expectCode(loadKemPrivateKey({ env: {} }), 'INVALID_ARGUMENT');
    await expectCode(loadKemPrivateKey({ file: join(dir, 'missing') }), 'INVALID_ARGUMENT');
    await expectCode(loadKemPrivateKey({ env: { CITY_KEM_PRIVATE_KEY: pair.publicKey } }), 'KEY_MALFORMED');
  });
});
