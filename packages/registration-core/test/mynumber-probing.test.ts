/**
 * Attack: probing which national ID numbers (My Number, 個人番号) are registered through the
 * `MYNUMBER_TAKEN` answer of registration. Those answers are rationed per client address and per
 * number, each is audited as a security alert under the number's owner, and the owner is notified;
 * past the limit, registrations carrying a My Number from that address, or that number from
 * anywhere, are refused with TOO_MANY_ATTEMPTS before any work.
 */
import { describe, expect, it } from 'vitest';
import { myNumberCheckDigit } from '../src/validation/my-number-check-digit.js';
import { expectAuthError, newUserBody, useEngine } from './support/auth-harness.js';
import type { MemoryStores } from './support/memory-stores.js';
import { memoryEngine, realEngines } from './support/store-engines.js';

let next = Date.now() % 100_000_000_000;
/** A fresh, valid My Number (11 digits + check digit). */
function freshMynumber(): string {
  next += 7;
  const base = String(next).padStart(11, '0').slice(-11);
  return `${base}${myNumberCheckDigit(base)}`;
}

for (const store of [memoryEngine, ...realEngines]) {
  describe.skipIf(store.skipReason !== undefined)(
    `${store.name}${store.skipReason ? ` (${store.skipReason})` : ''}`,
    () => {
      const engine = useEngine(store);

      it('mynumber-probing: taken answers are rationed per address and per number, audited and reported to the owner', async () => {
        const h = engine.harness({ lockout: { mynumberConflictLimit: 2, mynumberLockSeconds: 3600 } });
        const taken = freshMynumber();
        const owner = await h.auth.register(newUserBody({ mynumber: taken }));
        const prober = { ip: '198.51.100.200' };

        await expectAuthError(h.auth.register(newUserBody({ mynumber: taken }), prober), 'MYNUMBER_TAKEN');
        await expectAuthError(h.auth.register(newUserBody({ mynumber: taken }), prober), 'MYNUMBER_TAKEN');
        // The address has used its answers: refused before any work, whatever number it sends next.
        const locked = await expectAuthError(
          h.auth.register(newUserBody({ mynumber: freshMynumber() }), prober),
          'TOO_MANY_ATTEMPTS',
        );
        expect(locked.retryAfterSeconds).toBe(3600);
        // The number has used its answers too: another address learns nothing more about it.
        await expectAuthError(
          h.auth.register(newUserBody({ mynumber: taken }), { ip: '198.51.100.201' }),
          'TOO_MANY_ATTEMPTS',
        );
        // Registrations without a My Number, or with a fresh one from elsewhere, are unaffected.
        await h.auth.register(newUserBody(), prober);
        await h.auth.register(newUserBody({ mynumber: freshMynumber() }), { ip: '198.51.100.202' });

        const alerts = (await h.stores.audit.list({ userUuid: owner.uuid, limit: 50 })).items.filter(
          (e) => e.type === 'security_alert' && e.reason === 'mynumber_registration_attempt',
        );
        expect(alerts).toHaveLength(2);
        expect(alerts.every((e) => e.ip === prober.ip)).toBe(true);
        if (store === memoryEngine) {
          const notified = (h.stores as MemoryStores).notifications.filter(
            (n) => n.userUuid === owner.uuid && n.type === 'security_alert',
          );
          expect(notified.map((n) => n.data)).toEqual([
            { kind: 'mynumber_registration_attempt' },
            { kind: 'mynumber_registration_attempt' },
          ]);
        }
        h.clock.advance(3601);
        await expectAuthError(h.auth.register(newUserBody({ mynumber: taken }), prober), 'MYNUMBER_TAKEN');
      });
    },
  );
}
