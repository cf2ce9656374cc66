/**
 * Second-device registration with a pairing token (seed 001, issues 5 and 9): token + username
 * + password (checked even with a token) → a new per-device certificate. Order: peek the token
 * → verify the password (dummy work for unknown users, throttled like login) → the token must
 * belong to that user and its parent device must still be active → issue the certificate (which
 * validates the CSR before anything is spent) → consume the token atomically (exactly one of
 * any number of concurrent redemptions wins) → store the body and the device. The new device gets
 * no session: it logs in with its own key (per-device sessions). The device is labelled with the
 * redeemer's label, else the one the token was issued with.
 */
import { AuthError } from '../auth-error.js';
import type { PairedDeviceResult, RequestContext } from '../auth-service.js';
import { checkPassword } from '../lib/_check-password.js';
import {
  issueDeviceCertificate,
  storeCertificateBody,
  toIssuedDeviceCertificate,
} from '../lib/_issue-device-certificate.js';
import { assertNotLocked, recordFailure, recordSuccess, throttleKeys } from '../lib/_login-throttle.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { resolveUser } from '../lib/_resolve-user.js';
import { audit, notify, type ServiceContext, sha256Hex, stripUndefined } from '../lib/_service-context.js';
import { validatePairingInput } from '../validation/validate-pairing-input.js';
import { OPERATOR_ENROLMENT_PREFIX } from './administer-users.js';

export async function registerPairedDevice(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<PairedDeviceResult> {
  const valid = validatePairingInput(input);
  const keys = throttleKeys(ctx, valid.username, request.ip);
  const hadFailures = await assertNotLocked(ctx, keys);

  const tokenHash = sha256Hex(valid.token);
  const token = await ctx.stores.pairingTokens.get(tokenHash);
  const user = await resolveUser(ctx, valid.username);
  const password = await checkPassword(ctx, user, valid.password);
  if (!password.valid || user === undefined) {
    await audit(ctx, {
      type: 'login_failure',
      userUuid: user?.uuid,
      ip: request.ip,
      reason: password.reason ?? 'wrong_password',
      detail: { operation: 'pairing' },
    });
    await recordFailure(ctx, keys, {
      userUuid: user?.uuid,
      ip: request.ip,
      reason: password.reason ?? 'wrong_password',
      operation: 'pairing',
    });
    throw new AuthError('INVALID_CREDENTIALS');
  }
  if (hadFailures) await recordSuccess(ctx, keys);
  if (token === undefined || token.userUuid !== user.uuid) {
    await audit(ctx, {
      type: 'login_failure',
      userUuid: user.uuid,
      ip: request.ip,
      reason: token === undefined ? 'pairing_token_unknown' : 'pairing_token_foreign',
      detail: { operation: 'pairing' },
    });
    throw new AuthError('PAIRING_TOKEN_INVALID');
  }
  if (token.expiresAt <= ctx.clock.now()) throw new AuthError('PAIRING_TOKEN_EXPIRED');
  // An operator's enrolment token has no device behind it; any other must come from an active one.
  const fromOperator = token.parentDeviceId.startsWith(OPERATOR_ENROLMENT_PREFIX);
  const parent = fromOperator ? undefined : await ctx.stores.devices.get(user.uuid, token.parentDeviceId);
  if (!fromOperator && (parent === undefined || parent.status !== 'active')) {
    await audit(ctx, {
      type: 'login_failure',
      userUuid: user.uuid,
      ip: request.ip,
      reason: 'pairing_parent_revoked',
      detail: { operation: 'pairing' },
    });
    throw new AuthError('PAIRING_TOKEN_INVALID');
  }

  const deviceId = ctx.random.uuid();
  const issued = await issueDeviceCertificate(ctx, {
    userUuid: user.uuid,
    deviceId,
    csrPem: valid.csrPem,
    algorithm: valid.keyAlgorithm,
  });
  const consumed = await ctx.stores.pairingTokens.consume(tokenHash, ctx.clock.now());
  if (!consumed.ok) {
    throw new AuthError(
      consumed.reason === 'used'
        ? 'PAIRING_TOKEN_USED'
        : consumed.reason === 'expired'
          ? 'PAIRING_TOKEN_EXPIRED'
          : 'PAIRING_TOKEN_INVALID',
    );
  }
  const certificateKey = await storeCertificateBody(ctx, user.uuid, deviceId, issued);
  const now = ctx.clock.now();
  try {
    await ctx.stores.devices.create(
      stripUndefined({
        deviceId,
        userUuid: user.uuid,
        fingerprint: issued.fingerprint,
        serialNumber: issued.serialNumber,
        certificatePem: issued.certificatePem,
        algorithm: issued.algorithm,
        certificateKey,
        // The redeemer's own label (typed, or carried in the QR payload it sent) wins; else the
        // label the token was issued with.
        label: valid.deviceLabel ?? valid.qrDeviceLabel ?? token.deviceLabel,
        status: 'active' as const,
        createdAt: now,
        notAfter: issued.notAfter.getTime(),
        pairedFromDeviceId: parent?.deviceId,
      }),
    );
  } catch (error) {
    // A fresh certificate cannot clash with a registered one except through a concurrent write.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
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
  return {
    uuid: user.uuid,
    ...(parent === undefined ? {} : { pairedFromDeviceId: parent.deviceId }),
    ...toIssuedDeviceCertificate(ctx, user.uuid, deviceId, issued),
  };
}
