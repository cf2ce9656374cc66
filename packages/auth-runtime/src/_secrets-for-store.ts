/**
 * Internal: the secrets of an instance, checked against the store it serves. The store keeps a
 * key check (see `_load-secrets`) claimed by the first instance; every later start compares. An
 * instance whose secrets differ refuses to start before it writes anything — otherwise it would
 * answer `FIELD_DECRYPT_FAILED` for the other instances' users and let a taken email register
 * again (blind indexes under another key). Missing secrets are created only when the store is
 * empty (no key check and no user): the first instance, or an explicit first start. A start that
 * seals a changed JWT key set (a plain `jwt-keys.json`) records it in the audit trail.
 */
import { randomUUID } from 'node:crypto';
import type { Stores } from '@city/ports';
import {
  keyCheckDifferences,
  type LoadedSecrets,
  loadOrCreateSecrets,
  type SecretsOptions,
} from './_load-secrets.js';
import { SecretsError } from './secrets-error.js';

/** Deployment fact holding the key check of the secrets the store's data is written with. */
export const KEY_CHECK_FACT = 'key-check';

export async function secretsForStore(
  stores: Stores,
  options: Omit<SecretsOptions, 'mayCreate'>,
): Promise<LoadedSecrets> {
  const claimed = await stores.deployment.get(KEY_CHECK_FACT);
  const empty = claimed === undefined && (await stores.users.list({ limit: 1 })).items.length === 0;
  const secrets = await loadOrCreateSecrets({ ...options, mayCreate: empty });
  const stored = await stores.deployment.claim(KEY_CHECK_FACT, secrets.keyCheck);
  if (stored !== secrets.keyCheck) {
    throw new SecretsError(
      'SECRETS_MISMATCH',
      `this instance's secrets do not match the data in the store: ${keyCheckDifferences(secrets.keyCheck, stored).join(' and ')} ` +
        `differ from the ones the store was first started with (this instance: root key ${secrets.rootKeySource}, ` +
        `key vault ${secrets.vault.status().store}). Give it the secrets of the instances already running on this ` +
        'store; it wrote nothing',
    );
  }
  if (secrets.jwtKeysChange !== undefined) {
    // The key set changes only here, at a start that seals a jwt-keys.json (written by
    // `city admin rotate-jwt-key`/`retire-jwt-key` or by hand): the running service never sees it.
    const { activeKid, added, removed } = secrets.jwtKeysChange;
    await stores.audit.append({
      eventId: randomUUID(),
      type: 'admin_action',
      at: Date.now(),
      reason: 'jwt_keys_replaced',
      detail: {
        by: 'operator:jwt-keys.json',
        activeKid,
        added: added.join(','),
        removed: removed.join(','),
      },
    });
  }
  return secrets;
}
