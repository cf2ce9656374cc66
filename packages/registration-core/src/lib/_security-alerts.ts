/**
 * Security alerts beyond failure thresholds (layered defence): each is a `security_alert` audit
 * event (visible to admins in the audit listing) with the alert kind as its `reason`, and a
 * `security_alert` notification with `data.kind` — to the account's owner where there is one,
 * to the operators' channel (no `userUuid`) for alerts about an address.
 *
 * | kind                 | raised when                                                                                              |
 * | -------------------- | -------------------------------------------------------------------------------------------------------- |
 * | `new_address_login`  | a successful login comes from an address the account has not logged in from within `knownLoginContextDays` (not on the account's first login) |
 * | `new_device_login`   | the first successful login on one of the account's devices, when the account logged in before on another |
 * | `credential_stuffing`| failed logins/pairings from one address name `stuffingAlertAccounts` distinct identifiers within the lockout window (once per window) |
 * | `pairing_token_used` | a pairing token is redeemed: a device was added to the account                                           |
 * | `enrolment_token_used` | an operator's enrolment token (`resetDevices`) is redeemed: a device was added to the account          |
 * | `recovery_code_used` | a recovery code is used (`recoverAccount`): a device was added to the account                            |
 *
 * Seen addresses, devices and identifiers are kept as counters under keyed hashes (the field
 * cipher's blind index), so the counter store holds no address or identifier in the clear.
 */
import type { AuditEvent } from '@city/ports';
import { audit, notify, type ServiceContext } from './_service-context.js';

/** The kinds of security alert (`reason` of the audit event, `data.kind` of the notification). */
export type SecurityAlertKind =
  | 'new_address_login'
  | 'new_device_login'
  | 'credential_stuffing'
  | 'pairing_token_used'
  | 'enrolment_token_used'
  | 'recovery_code_used';

const DAY_MS = 24 * 3600 * 1000;
/** The "has logged in before" marker outlives any realistic gap between logins. */
const ACCOUNT_SEEN_MS = 10 * 365 * DAY_MS;

export async function raiseSecurityAlert(
  ctx: ServiceContext,
  alert: {
    readonly kind: SecurityAlertKind;
    readonly userUuid?: string | undefined;
    readonly deviceId?: string | undefined;
    readonly ip?: string | undefined;
    readonly detail?: AuditEvent['detail'];
  },
): Promise<void> {
  await audit(ctx, {
    type: 'security_alert',
    userUuid: alert.userUuid,
    deviceId: alert.deviceId,
    ip: alert.ip,
    reason: alert.kind,
    detail: alert.detail,
  });
  const data: Record<string, string | number | boolean> = { kind: alert.kind };
  if (alert.deviceId !== undefined) data.deviceId = alert.deviceId;
  if (alert.ip !== undefined) data.ip = alert.ip;
  for (const [key, value] of Object.entries(alert.detail ?? {})) data[key] = value;
  await notify(ctx, { type: 'security_alert', userUuid: alert.userUuid, data });
}

/** After a successful login: alerts for an address or a device the account has not logged in from. */
export async function alertOnNewLoginContext(
  ctx: ServiceContext,
  login: { readonly userUuid: string; readonly deviceId: string; readonly ip?: string | undefined },
): Promise<void> {
  const now = ctx.clock.now();
  const knownMs = ctx.config.lockout.knownLoginContextDays * DAY_MS;
  if (knownMs === 0) return;
  const account = await ctx.stores.counters.increment(
    `alert-seen:account:${login.userUuid}`,
    now,
    ACCOUNT_SEEN_MS,
  );
  const device = await ctx.stores.counters.increment(
    `alert-seen:device:${login.userUuid}:${ctx.cipher.blindIndex('alert-device', login.deviceId)}`,
    now,
    knownMs,
  );
  const address =
    login.ip === undefined || login.ip === ''
      ? undefined
      : await ctx.stores.counters.increment(
          `alert-seen:ip:${login.userUuid}:${ctx.cipher.blindIndex('alert-ip', login.ip)}`,
          now,
          knownMs,
        );
  // The account's first login has nothing to compare with.
  if (account.count === 1) return;
  if (device.count === 1) {
    await raiseSecurityAlert(ctx, {
      kind: 'new_device_login',
      userUuid: login.userUuid,
      deviceId: login.deviceId,
      ip: login.ip,
    });
  }
  if (address?.count === 1) {
    await raiseSecurityAlert(ctx, {
      kind: 'new_address_login',
      userUuid: login.userUuid,
      deviceId: login.deviceId,
      ip: login.ip,
    });
  }
}

/**
 * After a failed login or pairing: counts the distinct identifiers one address fails on, and
 * raises `credential_stuffing` once when they reach the threshold within the lockout window.
 * The same work is done whether the identifier names an account or not.
 */
export async function trackFailureSource(
  ctx: ServiceContext,
  failure: { readonly identifier: string; readonly ip?: string | undefined },
): Promise<void> {
  const threshold = ctx.config.lockout.stuffingAlertAccounts;
  if (threshold === 0 || failure.ip === undefined || failure.ip === '') return;
  const now = ctx.clock.now();
  const windowMs = ctx.config.lockout.windowSeconds * 1000;
  const ipKey = ctx.cipher.blindIndex('alert-ip', failure.ip);
  const canonical = failure.identifier.normalize('NFKC').trim().toLowerCase();
  const pair = await ctx.stores.counters.increment(
    `alert-fail:pair:${ipKey}:${ctx.cipher.blindIndex('alert-identifier', canonical)}`,
    now,
    windowMs,
  );
  if (pair.count !== 1) return;
  const distinct = await ctx.stores.counters.increment(`alert-fail:ip:${ipKey}`, now, windowMs);
  if (distinct.count === threshold) {
    await raiseSecurityAlert(ctx, {
      kind: 'credential_stuffing',
      ip: failure.ip,
      detail: { accounts: distinct.count, windowSeconds: ctx.config.lockout.windowSeconds },
    });
  }
}
