/**
 * Second-device registration with a pairing token: token + username
 * + password (checked even with a token) → a new per-device certificate. Order: peek the token and
 * its parent device → count the guess and verify the password (dummy work for unknown users,
 * throttled like login) → the token must be unexpired, belong to that user and its parent device
 * must still be active, any failure answering INVALID_CREDENTIALS → issue the certificate (which
 * validates the CSR before anything is spent) → consume the token atomically (exactly one of
 * any number of concurrent redemptions wins; the others, like a used token, answer
 * INVALID_CREDENTIALS) → store the body and the device. The new device gets
 * no session: it logs in with its own key (per-device sessions). The device is labelled with the
 * redeemer's label, else the one the token was issued with.
 */
import { AuthError } from '../auth-error.js';
import type { PairedDeviceResult, RequestContext } from '../auth-service.js';
import { checkPassword } from '../lib/_check-password.js';
import { enrolDevice } from '../lib/_enrol-device.js';
import { toIssuedDeviceCertificate } from '../lib/_issue-device-certificate.js';
import {
  admitGuess,
  assertAddressNotLocked,
  recordFailure,
  recordSuccess,
  throttleKeys,
} from '../lib/_login-throttle.js';
import { resolveUser } from '../lib/_resolve-user.js';
import { raiseSecurityAlert, trackFailureSource } from '../lib/_security-alerts.js';
import { audit, notify, type ServiceContext, sha256Hex } from '../lib/_service-context.js';
import { validatePairingInput } from '../validation/validate-pairing-input.js';
import { OPERATOR_ENROLMENT_PREFIX } from './administer-users.js';

/** The uuid looked up when there is no token: no account has it (RFC 9562 nil UUID). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export async function registerPairedDevice(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<PairedDeviceResult> {
  const valid = validatePairingInput(input);
  await assertAddressNotLocked(ctx, request.ip);

  // Fixed order, the same work on every path: the token and its parent device are looked up, the
  // guess is counted, the password is verified (a dummy verification when there is no user), and
  // only then is anything decided. Every failure answers INVALID_CREDENTIALS, so a right password
  // with a wrong, foreign or expired token is not told apart from a wrong password.
  const tokenHash = sha256Hex(valid.token);
  const token = await ctx.stores.pairingTokens.get(tokenHash);
  // An operator's enrolment token has no device behind it (the lookup still runs, finding nothing);
  // any other must come from an active one.
  const parentLookup = await ctx.stores.devices.get(
    token?.userUuid ?? NIL_UUID,
    token?.parentDeviceId ?? '-',
  );
  const fromOperator = token?.parentDeviceId.startsWith(OPERATOR_ENROLMENT_PREFIX) === true;
  const parent = fromOperator ? undefined : parentLookup;
  const user = await resolveUser(ctx, valid.username);
  const keys = throttleKeys(
    ctx,
    user === undefined
      ? { kind: 'identifier', identifier: valid.username }
      : { kind: 'account', userUuid: user.uuid },
    request.ip,
  );
  const admission = await admitGuess(ctx, keys, {
    userUuid: user?.uuid,
    ip: request.ip,
    operation: 'pairing',
  });
  const password = await checkPassword(ctx, user, valid.password);
  const reason = !password.valid
    ? (password.reason ?? 'wrong_password')
    : token === undefined
      ? 'pairing_token_unknown'
      : token.userUuid !== user?.uuid
        ? 'pairing_token_foreign'
        : token.expiresAt <= ctx.clock.now()
          ? 'pairing_token_expired'
          : !fromOperator && (parent === undefined || parent.status !== 'active')
            ? 'pairing_parent_revoked'
            : undefined;
  if (reason !== undefined || user === undefined || token === undefined) {
    await audit(ctx, {
      type: 'login_failure',
      userUuid: user?.uuid,
      ip: request.ip,
      reason: reason ?? 'unknown',
      detail: { operation: 'pairing' },
    });
    await recordFailure(ctx, keys, {
      userUuid: user?.uuid,
      ip: request.ip,
      reason: reason ?? 'unknown',
      operation: 'pairing',
    });
    await trackFailureSource(ctx, { identifier: valid.username, ip: request.ip });
    throw new AuthError('INVALID_CREDENTIALS');
  }
  await recordSuccess(ctx, keys, admission);

  const { deviceId, issued } = await enrolDevice(
    ctx,
    {
      userUuid: user.uuid,
      csrPem: valid.csrPem,
      algorithm: valid.keyAlgorithm,
      // The redeemer's own label (typed, or carried in the QR payload it sent) wins; else the
      // label the token was issued with.
      label: valid.deviceLabel ?? valid.qrDeviceLabel ?? token.deviceLabel,
      pairedFromDeviceId: parent?.deviceId,
    },
    async () => {
      const consumed = await ctx.stores.pairingTokens.consume(tokenHash, ctx.clock.now());
      if (!consumed.ok) {
        // Used (a concurrent redemption won, or an old token), or expired meanwhile: the same answer
        // as any other failure, since only a right password gets this far.
        await audit(ctx, {
          type: 'login_failure',
          userUuid: user.uuid,
          ip: request.ip,
          reason: `pairing_token_${consumed.reason}`,
          detail: { operation: 'pairing' },
        });
        throw new AuthError('INVALID_CREDENTIALS');
      }
    },
  );
  await audit(ctx, {
    type: 'device_added',
    userUuid: user.uuid,
    deviceId,
    ip: request.ip,
    detail: {
      pairedFrom: parent?.deviceId ?? token.parentDeviceId,
      algorithm: issued.algorithm,
      serialNumber: issued.serialNumber,
    },
  });
  await notify(ctx, {
    type: 'new_device',
    userUuid: user.uuid,
    data: { deviceId, pairedFrom: parent?.deviceId ?? token.parentDeviceId },
  });
  await raiseSecurityAlert(ctx, {
    kind: parent === undefined ? 'enrolment_token_used' : 'pairing_token_used',
    userUuid: user.uuid,
    deviceId,
    ip: request.ip,
    detail: parent === undefined ? { issuedBy: token.parentDeviceId } : { pairedFrom: parent.deviceId },
  });
  return {
    uuid: user.uuid,
    ...(parent === undefined ? {} : { pairedFromDeviceId: parent.deviceId }),
    ...toIssuedDeviceCertificate(ctx, user.uuid, deviceId, issued),
  };
}
