/**
 * `city admin service add|list|remove` as subprocesses on one data directory: the secret is
 * printed once and never listed; a taken id, an unknown id and a malformed id are exit code 1 with
 * their codes. The registered secret then authenticates introspection on the same stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, runCity } from './helpers/run-city.js';

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const city = (args: string[]) => runCity(args, { env: ws.env });

beforeAll(async () => {
  ws = await makeWorkspace('services');
});
afterAll(() => ws.cleanup());

describe('city admin service (in order, one data dir)', () => {
  let secret: string;

  it('add prints the client secret once', async () => {
    const added = await city(['admin', 'service', 'add', 'orders', '--name', 'Orders API', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const body = added.json<{ clientId: string; name: string; clientSecret: string; createdAt: string }>();
    expect(body).toMatchObject({ clientId: 'orders', name: 'Orders API' });
    expect(body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secret = body.clientSecret;
    const text = await city(['admin', 'service', 'add', 'billing']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^billing registered\nclient secret \(shown once\): [A-Za-z0-9_-]{43}\n$/);
  });

  it('list shows the services and never a secret', async () => {
    const listed = await city(['admin', 'service', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json<{ clientId: string }[]>().map((c) => c.clientId)).toEqual(['billing', 'orders']);
    expect(listed.stdout).not.toContain(secret);
    const text = await city(['admin', 'service', 'list']);
    expect(text.stdout).toMatch(/^CLIENT ID +NAME +CREATED\n/);
  });

  it('a taken id, a malformed id and an unknown id are exit 1 with their codes', async () => {
    const taken = await city(['admin', 'service', 'add', 'orders']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error SERVICE_CLIENT_EXISTS: /);
    const malformed = await city(['admin', 'service', 'add', 'Not Valid']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^error VALIDATION_FAILED: /);
    const unknown = await city(['admin', 'service', 'remove', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error SERVICE_CLIENT_NOT_FOUND: /);
  });

  it('remove takes a service away', async () => {
    const removed = await city(['admin', 'service', 'remove', 'orders', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.json()).toEqual({ clientId: 'orders', removed: true });
    const listed = await city(['admin', 'service', 'list', '--json']);
    expect(listed.json<{ clientId: string }[]>().map((c) => c.clientId)).toEqual(['billing']);
  });
});
