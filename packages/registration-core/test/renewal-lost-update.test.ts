/**
 * Lost update on certificate renewal: two renewals of one device that both start from the same
 * certificate must not both succeed, or the second silently replaces the first's new certificate,
 * which is then never revoked. The store's compare-and-set on the serial number decides: one
 * wins, the other is CONCURRENT_UPDATE, and every replaced certificate is on the revocation list.
 */
import type { Stores } from '@city/ports';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/auth-error.js';
import type { Principal } from '../src/auth-service.js';
import {
  createHarness,
  expectAuthError,
  type Harness,
  signedInUser,
  useEngine,
} from './support/auth-harness.js';
import { memoryEngine, realEngines } from './support/store-engines.js';

async function session(
  h: Harness,
): Promise<{ deviceId: string; serialNumber: string; principal: Principal }> {
  const { reg, principal } = await signedInUser(h.auth);
  return { deviceId: reg.deviceId, serialNumber: reg.serialNumber, principal };
}

/** The stores with `before` run once, ahead of the first `replaceCertificate`. */
function interleaved(stores: Stores, before: () => Promise<void>): Stores {
  let pending = true;
  const devices: Stores['devices'] = {
    create: (d) => stores.devices.create(d),
    get: (u, d) => stores.devices.get(u, d),
    getByFingerprint: (f) => stores.devices.getByFingerprint(f),
    listByUser: (u) => stores.devices.listByUser(u),
    revoke: (u, d, at) => stores.devices.revoke(u, d, at),
    replaceCertificate: async (u, d, update) => {
      if (pending) {
        pending = false;
        await before();
      }
      return stores.devices.replaceCertificate(u, d, update);
    },
  };
  return { ...stores, devices, close: () => stores.close() };
}

for (const engine of [memoryEngine, ...realEngines]) {
  describe.skipIf(engine.skipReason !== undefined)(`renewal lost update (${engine.name})`, () => {
    const fixture = useEngine(engine);

    it('a renewal overtaken between its read and its write is CONCURRENT_UPDATE; the winner stays and is not revoked', async () => {
      const h = fixture.harness();
      const s = await session(h);
      let winner: { serialNumber: string; previousSerialNumber: string } | undefined;
      const racing = createHarness(
        interleaved(fixture.stores, async () => {
          winner = await h.auth.renewDeviceCertificate(s.principal, { key_algorithm: 'ed25519' });
        }),
        fixture.crypto,
        {},
        fixture.clock,
      );
      await expectAuthError(
        racing.auth.renewDeviceCertificate(s.principal, { key_algorithm: 'ed25519' }),
        'CONCURRENT_UPDATE',
      );
      expect(winner?.previousSerialNumber).toBe(s.serialNumber);
      const device = await fixture.stores.devices.get(s.principal.userUuid, s.deviceId);
      expect(device?.serialNumber).toBe(winner?.serialNumber);
      expect(await fixture.stores.certificateRevocations.isRevoked(s.serialNumber)).toBe(true);
      expect(await fixture.stores.certificateRevocations.isRevoked(winner?.serialNumber ?? '')).toBe(false);
      // The loser's certificate body is gone; the original's and the winner's stay.
      const bodies = await fixture.stores.certificates.listByUser(s.principal.userUuid);
      expect(bodies.filter((key) => key.includes(s.deviceId)).sort()).toEqual(
        [s.serialNumber, winner?.serialNumber ?? ''].map((serial) => bodyKeyOf(bodies, serial)).sort(),
      );
    });

    it('6 concurrent renewals: losers CONCURRENT_UPDATE, each success replaced a different certificate, every replaced one is revoked', async () => {
      const h = fixture.harness();
      const s = await session(h);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          h.auth.renewDeviceCertificate(s.principal, { key_algorithm: 'ed25519' }),
        ),
      );
      const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(winners.length).toBeGreaterThanOrEqual(1);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(AuthError);
          expect((r.reason as AuthError).code).toBe('CONCURRENT_UPDATE');
        }
      }
      // Several successes can only be a chain of sequential renewals from the original certificate.
      const previous = winners.map((w) => w.previousSerialNumber);
      expect(new Set(previous).size).toBe(winners.length);
      expect(previous).toContain(s.serialNumber);
      const last = winners.filter((w) => !previous.includes(w.serialNumber));
      expect(last).toHaveLength(1);
      const device = await fixture.stores.devices.get(s.principal.userUuid, s.deviceId);
      expect(device?.serialNumber).toBe(last[0]?.serialNumber);
      for (const serial of previous) {
        expect(await fixture.stores.certificateRevocations.isRevoked(serial), serial).toBe(true);
      }
      expect(await fixture.stores.certificateRevocations.isRevoked(device?.serialNumber ?? '')).toBe(false);
      // One body per certificate that took effect (the original and each success); none for losers.
      const bodies = (await fixture.stores.certificates.listByUser(s.principal.userUuid)).filter((key) =>
        key.includes(s.deviceId),
      );
      expect(bodies).toHaveLength(1 + winners.length);
    });
  });
}

/** The one stored body key that names `serial`. */
function bodyKeyOf(keys: readonly string[], serial: string): string {
  const matching = keys.filter((key) => key.includes(serial));
  expect(matching, serial).toHaveLength(1);
  return matching[0] as string;
}
