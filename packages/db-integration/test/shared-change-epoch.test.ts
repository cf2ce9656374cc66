/**
 * The shared change epoch that gives network stores `authStateVersion()`: a version that is stable
 * while nothing is withdrawn, moves at once for this instance's own withdrawing writes, moves for
 * another instance's after the next read of the epoch, and refuses to vouch for anything once the
 * epoch could not be read for longer than the staleness bound. Runs over real SQLite stores with an
 * in-memory epoch standing for the shared item.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChangeEpoch, withSharedChangeEpoch } from '../src/lib/shared-change-epoch.js';
import { createSqliteStores } from '../src/sqlite/create-sqlite-stores.js';
import { makeDevice, makeUser } from './contract/store-contract.js';

class MemoryEpoch implements ChangeEpoch {
  value = 0;
  bumps = 0;
  reads = 0;
  failReads = false;
  failBumps = false;
  async read(): Promise<string> {
    this.reads += 1;
    if (this.failReads) throw new Error('engine unreachable');
    return String(this.value);
  }
  async bump(): Promise<void> {
    if (this.failBumps) throw new Error('engine unreachable');
    this.bumps += 1;
    this.value += 1;
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'city-epoch-'));
  const inner = createSqliteStores({ path: join(dir, 'db.sqlite'), notifier: { publish: async () => {} } });
  const { authStateVersion: _exact, ...withoutVersion } = inner;
  const epoch = new MemoryEpoch();
  const clock = { now: 0 };
  const stores = withSharedChangeEpoch(withoutVersion, epoch, {
    pollMs: 1,
    maxStalenessMs: 1_000,
    now: () => clock.now,
  });
  cleanups.push(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { stores, epoch, clock };
}

function family(userUuid: string) {
  return {
    familyId: randomUUID(),
    userUuid,
    deviceId: 'd1',
    generation: 0,
    currentJti: randomUUID(),
    status: 'active',
    createdAt: 1,
    rotatedAt: 1,
    expiresAt: 4_000_000_000_000,
  } as never;
}

/** Waits (in real time, without asserting any) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
}

describe('withSharedChangeEpoch', () => {
  it('vouches for nothing before the first read of the epoch: every call answers a new value', async () => {
    const { stores } = setUp();
    expect(stores.authStateVersion()).not.toBe(stores.authStateVersion());
  });

  it('keeps one version while nothing is withdrawn, sign-ins and counters included', async () => {
    const { stores, epoch } = setUp();
    stores.authStateVersion();
    await until(() => epoch.reads > 0);
    const version = stores.authStateVersion();
    const user = makeUser();
    await stores.users.create(user);
    await stores.refreshTokens.create(family(user.uuid));
    await stores.counters.increment('login:x', 1, 60_000);
    await stores.challenges.create({ challengeId: randomUUID(), nonce: 'n', createdAt: 1, expiresAt: 2 });
    const readsBefore = epoch.reads;
    await until(() => epoch.reads > readsBefore + 2);
    expect(stores.authStateVersion()).toBe(version);
    expect(epoch.bumps).toBe(0);
  });

  it("moves at once for this instance's withdrawing writes, and moves the shared epoch before and after each", async () => {
    const { stores, epoch } = setUp();
    stores.authStateVersion();
    await until(() => epoch.reads > 0);
    const user = makeUser();
    await stores.users.create(user);
    const device = makeDevice({ userUuid: user.uuid });
    const seen = new Set([stores.authStateVersion()]);
    const withdraw = async (label: string, write: () => Promise<unknown>) => {
      const bumps = epoch.bumps;
      await write();
      expect(epoch.bumps - bumps, label).toBe(2);
      const version = stores.authStateVersion();
      expect(seen.has(version), label).toBe(false);
      seen.add(version);
    };
    await withdraw('device create', () => stores.devices.create(device));
    await withdraw('user update', () => stores.users.update(user.uuid, { status: 'disabled' }, 1, 2));
    await withdraw('device revoke', () => stores.devices.revoke(user.uuid, device.deviceId, 3));
    await withdraw('token revoke', () => stores.revocations.revoke(randomUUID(), 4_000_000_000_000));
    const session = family(user.uuid) as { familyId: string };
    await stores.refreshTokens.create(session as never);
    await withdraw('session revoke', () => stores.refreshTokens.revoke(session.familyId, 'logout', 5));
    await withdraw('certificate revoke', () =>
      stores.certificateRevocations.add({
        serialNumber: '0a0b',
        userUuid: user.uuid,
        deviceId: device.deviceId,
        revokedAt: 6,
      }),
    );
  });

  it("sees another instance's change after its next read of the epoch", async () => {
    const { stores, epoch } = setUp();
    stores.authStateVersion();
    await until(() => epoch.reads > 0);
    const before = stores.authStateVersion();
    epoch.value += 1; // another instance's bump
    await until(() => stores.authStateVersion() !== before);
  });

  it('stops vouching when the epoch could not be read for longer than the bound, and resumes after a good read', async () => {
    const { stores, epoch, clock } = setUp();
    stores.authStateVersion();
    await until(() => epoch.reads > 0);
    epoch.failReads = true;
    clock.now = 1_001;
    expect(stores.authStateVersion()).not.toBe(stores.authStateVersion());
    epoch.failReads = false;
    const confirmed = () => {
      const first = stores.authStateVersion();
      return first === stores.authStateVersion();
    };
    await until(confirmed);
  });

  it('writes nothing when the epoch cannot be moved first', async () => {
    const { stores, epoch } = setUp();
    const user = makeUser();
    await stores.users.create(user);
    epoch.failBumps = true;
    await expect(stores.users.update(user.uuid, { status: 'disabled' }, 1, 2)).rejects.toThrow(
      'engine unreachable',
    );
    expect((await stores.users.getByUuid(user.uuid))?.status).toBe('active');
  });
});
