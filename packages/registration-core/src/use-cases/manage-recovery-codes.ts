/**
 * Recovery codes from a logged-in device: regenerating (a new set, shown once; the old set stops
 * working at once, used or not) and the count of unused codes. Both need the principal's device
 * to be active and its session live, like issuing a pairing token.
 */
import { AuthError } from '../auth-error.js';
import type { Principal, RecoveryCodesResult, RecoveryCodesStatus, RequestContext } from '../auth-service.js';
import { RegenerateRecoveryCodesInputSchema } from '../contracts/recovery-input-schema.js';
import { assertLiveSession } from '../lib/_active-session.js';
import { generateRecoveryCodes } from '../lib/_recovery-codes.js';
import { audit, iso, notify, type ServiceContext } from '../lib/_service-context.js';
import { readEmptyInput } from '../validation/read-empty-input.js';

export async function regenerateRecoveryCodes(
  ctx: ServiceContext,
  principal: Principal,
  input: unknown,
  request: RequestContext = {},
): Promise<RecoveryCodesResult> {
  readEmptyInput(input, RegenerateRecoveryCodesInputSchema);
  await assertActiveDevice(ctx, principal);
  const fresh = generateRecoveryCodes(ctx, principal.userUuid);
  await ctx.stores.recoveryCodes.replace(fresh.record);
  await audit(ctx, {
    type: 'recovery_codes_generated',
    userUuid: principal.userUuid,
    deviceId: principal.deviceId,
    ip: request.ip,
    detail: { count: fresh.codes.length, regenerated: true },
  });
  await notify(ctx, {
    type: 'security_alert',
    userUuid: principal.userUuid,
    data: { event: 'recovery_codes_regenerated', deviceId: principal.deviceId },
  });
  return { recoveryCodes: [...fresh.codes], createdAt: iso(fresh.record.createdAt) };
}

export async function recoveryCodesStatus(
  ctx: ServiceContext,
  principal: Principal,
): Promise<RecoveryCodesStatus> {
  await assertActiveDevice(ctx, principal);
  const set = await ctx.stores.recoveryCodes.get(principal.userUuid);
  if (set === undefined) return { total: 0, remaining: 0 };
  return {
    total: set.codeHashes.length,
    remaining: set.codeHashes.length - set.usedCodeHashes.length,
    createdAt: iso(set.createdAt),
  };
}

async function assertActiveDevice(ctx: ServiceContext, principal: Principal): Promise<void> {
  const device = await ctx.stores.devices.get(principal.userUuid, principal.deviceId);
  if (device === undefined || device.status !== 'active') throw new AuthError('DEVICE_NOT_FOUND');
  await assertLiveSession(ctx, principal);
}
