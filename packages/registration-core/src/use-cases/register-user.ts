/**
 * Registration: validate → uuid → Argon2id → first device
 * certificate → certificate body to the blob store → device record → recovery codes (keyed
 * hashes; the codes themselves are returned once) → user record LAST (the
 * store's conditional create is the uniqueness truth; the user is visible only when complete)
 * → audit → notification (never fails the registration). `MYNUMBER_TAKEN` answers are rationed per
 * address and per number, audited and reported to the number's owner (see _mynumber-conflicts).
 */
import { exportPkcs12 } from '@city/client-cert';
import { hashPassword } from '@city/password';
import { ConflictError, type UserRecord } from '@city/ports';
import { AuthError } from '../auth-error.js';
import type { RegistrationResult, RequestContext } from '../auth-service.js';
import { newDeviceRecord } from '../lib/_enrol-device.js';
import {
  issueDeviceCertificate,
  storeCertificateBody,
  toIssuedDeviceCertificate,
} from '../lib/_issue-device-certificate.js';
import { assertMynumberProbeAllowed, recordMynumberConflict } from '../lib/_mynumber-conflicts.js';
import { withPasswordWork } from '../lib/_password-work.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { generateRecoveryCodes } from '../lib/_recovery-codes.js';
import { audit, notify, nowDate, type ServiceContext, stripUndefined } from '../lib/_service-context.js';
import { type ValidRegistration, validateRegisterInput } from '../validation/validate-register-input.js';

/** Key algorithms today's OS keychains and browsers import from a PKCS#12 file. */
const PKCS12_ALGORITHMS: ReadonlySet<string> = new Set(['ecdsa-p256', 'rsa-3072']);

const TAKEN = { username: 'USERNAME_TAKEN', email: 'EMAIL_TAKEN', mynumber: 'MYNUMBER_TAKEN' } as const;

export async function registerUser(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<RegistrationResult> {
  const valid = validateRegisterInput(input, nowDate(ctx));
  if (valid.pkcs12Password !== undefined) {
    const algorithm = valid.keyAlgorithm ?? ctx.config.defaultCertificateAlgorithm;
    if (!PKCS12_ALGORITHMS.has(algorithm)) {
      const message = `a PKCS#12 bundle needs key_algorithm ecdsa-p256 or rsa-3072: today's keychains and browsers cannot import ${algorithm} keys`;
      throw new AuthError('VALIDATION_FAILED', message, {
        fields: [{ field: 'pkcs12_password', code: 'CONFLICTING_FIELDS', message }],
      });
    }
  }
  const emailIndex = ctx.cipher.blindIndex('email', valid.email.canonical);
  const mynumberIndex =
    valid.mynumber === undefined ? undefined : ctx.cipher.blindIndex('mynumber', valid.mynumber);

  if (mynumberIndex !== undefined) await assertMynumberProbeAllowed(ctx, request.ip, mynumberIndex);

  // Fast path only (saves an Argon2 hash and a signature for an obvious clash); the
  // conditional create below is what actually guarantees uniqueness under concurrency.
  if ((await ctx.stores.users.getByUsernameKey(valid.username.key)) !== undefined) {
    throw new AuthError('USERNAME_TAKEN');
  }

  const uuid = ctx.random.uuid();
  const deviceId = ctx.random.uuid();
  const passwordHash = await withPasswordWork(() => hashPassword(valid.password, ctx.config.argon2));
  const issued = await issueDeviceCertificate(ctx, {
    userUuid: uuid,
    deviceId,
    csrPem: valid.csrPem,
    algorithm: valid.keyAlgorithm,
  });
  // Built before anything is stored, so a registration is never left half-written by it.
  const pkcs12 =
    valid.pkcs12Password === undefined || issued.privateKeyPem === undefined
      ? undefined
      : await exportPkcs12({
          certificatePem: issued.certificatePem,
          privateKeyPem: issued.privateKeyPem,
          caCertificatePem: ctx.ca.certificatePem,
          password: valid.pkcs12Password,
        });
  const certificateKey = await storeCertificateBody(ctx, uuid, deviceId, issued);
  const now = ctx.clock.now();
  const device = newDeviceRecord({
    userUuid: uuid,
    deviceId,
    issued,
    certificateKey,
    label: valid.deviceLabel,
    createdAt: now,
  });
  try {
    await ctx.stores.devices.create(device);
  } catch (error) {
    await discard(ctx, uuid, deviceId, certificateKey, false);
    // The certificate is new, so a fingerprint clash can only be a concurrent write.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  const recovery = generateRecoveryCodes(ctx, uuid);
  try {
    await ctx.stores.recoveryCodes.replace(recovery.record);
  } catch (error) {
    await discard(ctx, uuid, deviceId, certificateKey, true);
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }
  const user: UserRecord = stripUndefined({
    uuid,
    username: valid.username.display,
    usernameKey: valid.username.key,
    emailIndex,
    mynumberIndex,
    passwordHash,
    roles: ['user' as const],
    status: 'active' as const,
    encrypted: encryptProfile(ctx, uuid, valid),
    initialHarmonyToken: valid.initialHarmonyToken,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  try {
    await ctx.stores.users.create(user);
  } catch (error) {
    await discard(ctx, uuid, deviceId, certificateKey, true);
    if (error instanceof ConflictError && Object.hasOwn(TAKEN, error.field)) {
      if (error.field === 'mynumber' && mynumberIndex !== undefined) {
        await recordMynumberConflict(ctx, request.ip, mynumberIndex);
      }
      throw new AuthError(TAKEN[error.field as keyof typeof TAKEN], undefined, { cause: error });
    }
    // Any other clash (the random uuid) is a concurrent write: retryable.
    rethrowPortError(error, { conflict: 'CONCURRENT_UPDATE' });
  }

  await audit(ctx, {
    type: 'registration',
    userUuid: uuid,
    deviceId,
    ip: request.ip,
    detail: {
      algorithm: issued.algorithm,
      serialNumber: issued.serialNumber,
      keyFrom: valid.csrPem === undefined ? 'server' : 'csr',
    },
  });
  await audit(ctx, {
    type: 'recovery_codes_generated',
    userUuid: uuid,
    deviceId,
    ip: request.ip,
    detail: { count: recovery.codes.length, regenerated: false },
  });
  await notify(ctx, { type: 'registration', userUuid: uuid, data: { deviceId } });
  return {
    uuid,
    username: user.username,
    recoveryCodes: [...recovery.codes],
    ...toIssuedDeviceCertificate(ctx, uuid, deviceId, issued),
    ...(pkcs12 === undefined ? {} : { pkcs12Base64: Buffer.from(pkcs12).toString('base64') }),
  };
}

function encryptProfile(ctx: ServiceContext, uuid: string, valid: ValidRegistration): Record<string, string> {
  const plain: Record<string, string | undefined> = {
    email: valid.email.address,
    name: valid.name,
    birth_date: valid.birthDate,
    address: valid.address,
    mynumber: valid.mynumber,
    phone: valid.phone,
  };
  const encrypted: Record<string, string> = {};
  for (const [attribute, value] of Object.entries(plain)) {
    if (value !== undefined)
      encrypted[attribute] = ctx.cipher.encrypt(value, { table: 'users', recordKey: uuid, attribute });
  }
  return encrypted;
}

/** Undoes the writes of a registration that lost (the device record never became reachable). */
async function discard(
  ctx: ServiceContext,
  uuid: string,
  deviceId: string,
  certificateKey: string,
  deviceWritten: boolean,
): Promise<void> {
  try {
    if (deviceWritten) {
      await ctx.stores.devices.revoke(uuid, deviceId, ctx.clock.now());
      await ctx.stores.recoveryCodes.remove(uuid);
    }
    await ctx.stores.certificates.delete(certificateKey);
  } catch (error) {
    ctx.onInternalError(error, 'register:cleanup');
  }
}
