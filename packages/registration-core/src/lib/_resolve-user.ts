/**
 * Finds a user by uuid, username or email (email through its blind index). Malformed
 * identifiers simply find nobody, so callers treat them exactly like unknown users.
 */
import type { UserRecord } from '@city/ports';
import { validateEmail } from '../validation/validate-email.js';
import { validateUsername } from '../validation/validate-username.js';
import type { ServiceContext } from './_service-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export async function resolveUser(ctx: ServiceContext, identifier: string): Promise<UserRecord | undefined> {
  const value = identifier.normalize('NFKC').trim();
  if (UUID.test(value)) return ctx.stores.users.getByUuid(value.toLowerCase());
  if (value.includes('@')) {
    const email = validateEmail(value);
    if (!email.ok) return undefined;
    return ctx.stores.users.getByEmailIndex(ctx.cipher.blindIndex('email', email.value.canonical));
  }
  const username = validateUsername(value);
  if (!username.ok) return undefined;
  return ctx.stores.users.getByUsernameKey(username.value.key);
}
