/**
 * The `auth` synchronous level's group commit: a store call that changed auth state resolves only
 * after an fdatasync of the write-ahead log, run on the thread pool; calls arriving while one runs
 * share the next; reads and relaxed writes (counters, audit lines) never wait for one; `full` and
 * `normal` never call it; a failed sync fails the write with StoreUnavailableError. The sync is
 * observed by wrapping FileHandle#datasync, so "waited for the disk" is seen, not assumed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '@city/ports';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxNotifier } from '../src/sns/outbox-notifier.js';
import {
  createSqliteStores,
  type SqliteStores,
  type SqliteStoresConfig,
} from '../src/sqlite/create-sqlite-stores.js';
import { makeDevice, makeUser } from './contract/store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'city-sqlite-group-commit-'));
const notifier = new OutboxNotifier({ dir: join(root, 'outbox') });
const opened: SqliteStores[] = [];

/** FileHandle.prototype, whose `datasync` the test wraps. */
let fileHandleProto: { datasync: () => Promise<void> };
let realDatasync: () => Promise<void>;
/** Each datasync call, held until the test releases (or fails) it. */
let syncs: { release: () => void; fail: (error: Error) => void }[] = [];
let holdSyncs = false;

beforeAll(async () => {
  const probe = await openFile(join(root, 'probe'), 'w');
  fileHandleProto = Object.getPrototypeOf(probe);
  await probe.close();
  realDatasync = fileHandleProto.datasync;
  fileHandleProto.datasync = function datasync(this: unknown) {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        release: () => Reflect.apply(realDatasync, this, []).then(resolve, reject),
        fail: reject,
      };
      syncs.push(entry);
      if (!holdSyncs) entry.release();
    });
  };
});

afterEach(async () => {
  holdSyncs = false;
  for (const sync of syncs) sync.release();
  syncs = [];
  for (const stores of opened.splice(0)) await stores.close();
});

afterAll(() => {
  fileHandleProto.datasync = realDatasync;
  rmSync(root, { recursive: true, force: true });
});

function open(extra: Partial<SqliteStoresConfig> = {}): SqliteStores {
  const stores = createSqliteStores({ path: join(root, randomUUID(), 'city.sqlite'), notifier, ...extra });
  opened.push(stores);
  return stores;
}

/** Whether `promise` has settled after the pending callbacks and a few thread-pool round trips ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
}

/** Waits (a bounded number of thread-pool round trips) until `count` syncs were asked for. */
async function syncsReach(count: number): Promise<void> {
  for (let i = 0; i < 200 && syncs.length < count; i++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  expect(syncs).toHaveLength(count);
}

describe('auth level: acknowledged writes wait for a group commit', () => {
  it('a write resolves only after the write-ahead log was synced; the record is already readable', async () => {
    const stores = open();
    holdSyncs = true;
    const user = makeUser();
    const write = stores.users.create(user);
    await syncsReach(1);
    expect(await settled(write)).toBe(false);
    // The commit happened; only the acknowledgement waits for the disk.
    expect(await stores.users.getByUuid(user.uuid)).toEqual(user);
    syncs[0]?.release();
    await write;
  });

  it('reads and relaxed writes (counters, audit lines) never wait for a sync, even while one runs', async () => {
    const stores = open();
    const user = makeUser();
    await stores.users.create(user);
    const before = syncs.length;
    holdSyncs = true;
    const pending = stores.devices.create(makeDevice({ userUuid: user.uuid }));
    await syncsReach(before + 1);
    await stores.users.getByUuid(user.uuid);
    await stores.counters.increment(`login:${user.uuid}`, Date.now(), 60_000);
    await stores.audit.append({
      eventId: randomUUID(),
      type: 'login_failure',
      at: Date.now(),
      userUuid: user.uuid,
    });
    expect(syncs).toHaveLength(before + 1);
    expect(await settled(pending)).toBe(false);
    syncs[before]?.release();
    await pending;
  });

  it('writes arriving while a sync runs share the next one (group commit)', async () => {
    const stores = open();
    holdSyncs = true;
    const first = stores.users.create(makeUser());
    await syncsReach(1);
    const others = Array.from({ length: 8 }, () => stores.users.create(makeUser()));
    // The running sync may have started before their commits: one more, shared by all eight.
    syncs[0]?.release();
    await first;
    await syncsReach(2);
    expect(await settled(Promise.all(others))).toBe(false);
    syncs[1]?.release();
    await Promise.all(others);
    expect(syncs).toHaveLength(2);
  });

  it('a failed sync fails the write with StoreUnavailableError, and the next write syncs again', async () => {
    const stores = open();
    holdSyncs = true;
    const write = stores.users.create(makeUser());
    await syncsReach(1);
    syncs[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const error = await write.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/could not sync its write-ahead log: EIO/);
    holdSyncs = false;
    await stores.users.create(makeUser());
    expect(syncs).toHaveLength(2);
  });

  it('a refused write (a conflict) does not wait for a sync', async () => {
    const stores = open();
    const user = makeUser();
    await stores.users.create(user);
    const count = syncs.length;
    await expect(stores.users.create({ ...user, uuid: randomUUID() })).rejects.toThrow();
    expect(syncs).toHaveLength(count);
  });

  it.each(['full', 'normal'] as const)('%s: never syncs through the thread pool', async (synchronous) => {
    const stores = open({ synchronous });
    const user = makeUser();
    await stores.users.create(user);
    await stores.devices.create(makeDevice({ userUuid: user.uuid }));
    expect(syncs).toHaveLength(0);
  });

  it(':memory: has nothing to sync', async () => {
    const stores = createSqliteStores({ path: ':memory:', notifier });
    opened.push(stores);
    await stores.users.create(makeUser());
    expect(syncs).toHaveLength(0);
  });
});
