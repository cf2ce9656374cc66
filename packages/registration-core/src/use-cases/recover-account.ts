/**
 * Account recovery with a one-time recovery code: username + password + recovery code → a new
 * device certificate for a user who lost their devices.
 *
 * The recovery code stands in for the lost device (the possession factor), never for the
 * password: as with Keycloak's recovery authentication codes and GitHub's recovery codes, the
 * password is verified too, so a code found on paper is useless without it, and a stolen
 * password is useless without a code (NIST SP 800-63B-4 §4.2: a saved recovery code restores an
 * account together with the remaining authenticator).
 *
 * Order, the same work on every path (as in the pairing redemption): the user's code set is
 * read (a nil uuid's when no user matches) → the guess is counted against the account lockout
 * BEFORE anything is verified (atomic increment, shared with login and pairing) → the password is
 * verified (dummy work for unknown users) → the code's keyed hash must be an unused code of the
 * set; every failure answers INVALID_CREDENTIALS, so a right password with a wrong code is not
 * told apart from a wrong password → the certificate is issued (the CSR validated before
 * anything is spent) → the code is consumed atomically (of concurrent uses of one code exactly
 * one wins; the others answer INVALID_CREDENTIALS) → the certificate body and the device are
 * stored. Nothing is revoked: the user's other devices stay as they are (the account's owner
 * reviews them with `listDevices` and revokes what was lost), and a `recovery_code_used`
 * security alert tells the owner and the admins. The new device gets no session: it logs in with
 * its own key.
 */
import { AuthError } from '../auth-error.js';
import type { RecoveredDeviceResult, RequestContext } from '../auth-service.js';
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
import { hashCanonical } from '../lib/_recovery-codes.js';
import { resolveUser } from '../lib/_resolve-user.js';
import { raiseSecurityAlert, trackFailureSource } from '../lib/_security-alerts.js';
import { audit, notify, type ServiceContext } from '../lib/_service-context.js';
import { validateRecoveryInput } from '../validation/validate-recovery-input.js';

/** The uuid looked up when no user matches: no account has it (RFC 9562 nil UUID). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export async function recoverAccount(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<RecoveredDeviceResult> {
  const valid = validateRecoveryInput(input);
  await assertAddressNotLocked(ctx, request.ip);

  const user = await resolveUser(ctx, valid.username);
  const subjectUuid = user?.uuid ?? NIL_UUID;
  const set = await ctx.stores.recoveryCodes.get(subjectUuid);
  const codeHash = hashCanonical(ctx, subjectUuid, valid.recoveryCode);
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
    operation: 'recovery',
  });
  const password = await checkPassword(ctx, user, valid.password);
  const reason = !password.valid
    ? (password.reason ?? 'wrong_password')
    : set === undefined
      ? 'recovery_codes_none'
      : !set.codeHashes.includes(codeHash)
        ? 'recovery_code_unknown'
        : set.usedCodeHashes.includes(codeHash)
          ? 'recovery_code_used'
          : undefined;
  if (reason !== undefined || user === undefined) {
    throw await refuse(ctx, keys, valid.username, user?.uuid, reason ?? 'unknown', request);
  }
  const owner = user;
  await recordSuccess(ctx, keys, admission);

  const {
    deviceId,
    issued,
    spent: remaining,
  } = await enrolDevice(
    ctx,
    {
      userUuid: owner.uuid,
      csrPem: valid.csrPem,
      algorithm: valid.keyAlgorithm,
      label: valid.deviceLabel,
    },
    async () => {
      const consumed = await ctx.stores.recoveryCodes.consume(owner.uuid, codeHash, ctx.clock.now());
      if (!consumed.ok) {
        // Another request used this code (or a regeneration replaced the set) in between.
        await audit(ctx, {
          type: 'login_failure',
          userUuid: owner.uuid,
          ip: request.ip,
          reason: `recovery_code_${consumed.reason}`,
          detail: { operation: 'recovery' },
        });
        throw new AuthError('INVALID_CREDENTIALS');
      }
      return consumed.record.codeHashes.length - consumed.record.usedCodeHashes.length;
    },
  );
  await audit(ctx, {
    type: 'device_added',
    userUuid: owner.uuid,
    deviceId,
    ip: request.ip,
    detail: {
      recovery: true,
      algorithm: issued.algorithm,
      serialNumber: issued.serialNumber,
      recoveryCodesRemaining: remaining,
    },
  });
  await notify(ctx, { type: 'new_device', userUuid: owner.uuid, data: { deviceId, recovery: true } });
  await raiseSecurityAlert(ctx, {
    kind: 'recovery_code_used',
    userUuid: owner.uuid,
    deviceId,
    ip: request.ip,
    detail: { recoveryCodesRemaining: remaining },
  });
  return {
    uuid: owner.uuid,
    recoveryCodesRemaining: remaining,
    ...toIssuedDeviceCertificate(ctx, owner.uuid, deviceId, issued),
  };
}

/** Records a refused recovery like a failed login; the error to answer with (INVALID_CREDENTIALS). */
async function refuse(
  ctx: ServiceContext,
  keys: ReturnType<typeof throttleKeys>,
  identifier: string,
  userUuid: string | undefined,
  reason: string,
  request: RequestContext,
): Promise<AuthError> {
  await audit(ctx, {
    type: 'login_failure',
    userUuid,
    ip: request.ip,
    reason,
    detail: { operation: 'recovery' },
  });
  await recordFailure(ctx, keys, { userUuid, ip: request.ip, reason, operation: 'recovery' });
  await trackFailureSource(ctx, { identifier, ip: request.ip });
  return new AuthError('INVALID_CREDENTIALS');
}
