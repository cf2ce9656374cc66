/**
 * Password check with equal work for unknown users (a dummy Argon2id verification at the same
 * cost), so "unknown user" and "wrong password" cannot be told apart by timing.
 */

import { isCityError } from '@city/errors';
import { verifyDummyPassword, verifyPassword } from '@city/password';
import type { UserRecord } from '@city/ports';
import { withPasswordWork } from './_password-work.js';
import type { ServiceContext } from './_service-context.js';

export interface PasswordCheck {
  readonly valid: boolean;
  readonly needsRehash: boolean;
  /** Precise reason for the audit log. */
  readonly reason?: 'unknown_user' | 'wrong_password' | 'account_disabled' | 'password_unusable';
}

export async function checkPassword(
  ctx: ServiceContext,
  user: UserRecord | undefined,
  password: string,
): Promise<PasswordCheck> {
  if (user === undefined) {
    try {
      await withPasswordWork(() => verifyDummyPassword(password));
    } catch (error) {
      if (!isCityError(error)) throw error;
    }
    return { valid: false, needsRehash: false, reason: 'unknown_user' };
  }
  let result: { valid: boolean; needsRehash: boolean };
  try {
    const minimum = ctx.config.argon2;
    result = await withPasswordWork(() =>
      verifyPassword(user.passwordHash, password, minimum === undefined ? undefined : { minimum }),
    );
  } catch (error) {
    // Over-long input or an unreadable stored hash: a failure like any other, never a 500.
    if (!isCityError(error)) throw error;
    return { valid: false, needsRehash: false, reason: 'password_unusable' };
  }
  if (!result.valid) return { valid: false, needsRehash: false, reason: 'wrong_password' };
  if (user.status !== 'active') return { valid: false, needsRehash: false, reason: 'account_disabled' };
  return { valid: true, needsRehash: result.needsRehash };
}
