/**
 * Attack: reading identifiers and client addresses back out of the failure counters (a copy of the
 * store, a log of its keys) by hashing guesses. Counter keys are HMAC-SHA-256 under a key derived
 * from the key vault's master key: neither the value nor its bare SHA-256 appears, and the same
 * value keys the same counter after a restart (so counts survive restarts and agree across
 * instances sharing the secrets).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, expect, it } from 'vitest';
import { openEmbeddedAuth } from '../src/open-embedded-auth.js';
import { expectAuthError, loginWithSignature, newUserBody } from './support/runtime-harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'city-counter-keys-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ip = '203.0.113.99';

function counterRows(): { key: string; count: number }[] {
  const db = new DatabaseSync(join(dataDir, 'city.db'), { readOnly: true });
  try {
    return (
      db.prepare('SELECT counter_key, count FROM counters').all() as { counter_key: string; count: number }[]
    )
      .map((row) => ({ key: row.counter_key, count: row.count }))
      .sort((a, b) => a.key.localeCompare(b.key));
  } finally {
    db.close();
  }
}

async function failOnce(
  identifier: string,
  device: { deviceId: string; privateKeyPem: string },
): Promise<void> {
  const runtime = await openEmbeddedAuth({ dataDir });
  try {
    await expectAuthError(
      loginWithSignature(runtime.auth, { identifier, password: 'not the password', ...device }, { ip }),
      'INVALID_CREDENTIALS',
    );
  } finally {
    await runtime.close();
  }
}

it('counter keys are keyed hashes, not SHA-256 of the identifier or address, and stable across restarts', async () => {
  const body = newUserBody();
  const first = await openEmbeddedAuth({ dataDir });
  const reg = await first.auth.register(body);
  await first.close();
  const device = { deviceId: reg.deviceId, privateKeyPem: reg.privateKeyPem as string };
  const username = String(body.username);
  const unknown = 'nobody.counted.here';

  await failOnce(username, device);
  await failOnce(unknown, device);
  const before = counterRows();
  expect(before.length).toBeGreaterThanOrEqual(4);
  const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  for (const value of [username, unknown, reg.uuid, ip, `identifier:${unknown}`, `account:${reg.uuid}`]) {
    for (const row of before) {
      expect(row.key).not.toContain(value);
      expect(row.key).not.toContain(sha256(value).toString('hex'));
      expect(row.key).not.toContain(sha256(value).toString('base64url'));
    }
  }

  // After a restart the same attempts count under the same keys. The per-address alert counter
  // counts distinct identifiers, so the same two identifiers leave it where it was: it would
  // reach 4 if a restart had changed how identifiers are keyed.
  await failOnce(username, device);
  await failOnce(unknown, device);
  const after = counterRows();
  expect(after.map((row) => row.key)).toEqual(before.map((row) => row.key));
  const distinctIdentifiers = (key: string) => key.startsWith('alert-fail:ip:');
  expect(after.filter((row) => distinctIdentifiers(row.key)).map((row) => row.count)).toEqual([2]);
  for (const [i, row] of after.entries()) {
    expect(row.count).toBe(distinctIdentifiers(row.key) ? before[i]!.count : before[i]!.count * 2);
  }
});
