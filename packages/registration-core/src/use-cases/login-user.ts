/**
 * Login: password + device proof → access token (15 min) + refresh token
 * (a new family per login per device) + user summary. Unknown user, wrong password and any device
 * proof failure all answer `INVALID_CREDENTIALS` after the same work (device proof, then Argon2id,
 * on every path); the precise reason goes to the audit log. Guesses are counted before the password
 * is checked, per account or per proven device, and failures per IP (see _login-throttle).
 */
import { hashPassword } from '@city/password';
import { ConflictError } from '@city/ports';
import type { ProofMode } from '../auth-config.js';
import { AuthError } from '../auth-error.js';
import type { LoginResult, RequestContext } from '../auth-service.js';
import { checkPassword } from '../lib/_check-password.js';
import { createFamily } from '../lib/_create-family.js';
import {
  admitGuess,
  assertAddressNotLocked,
  recordFailure,
  recordSuccess,
  throttleKeys,
} from '../lib/_login-throttle.js';
import { withPasswordWork } from '../lib/_password-work.js';
import { rethrowPortError } from '../lib/_port-errors.js';
import { resolveUser } from '../lib/_resolve-user.js';
import { alertOnNewLoginContext, trackFailureSource } from '../lib/_security-alerts.js';
import { audit, type ServiceContext, signPair, userSummary } from '../lib/_service-context.js';
import { verifyDeviceProof } from '../lib/_verify-device-proof.js';
import { validateLoginInput } from '../validation/validate-login-input.js';
import { challengeString } from './create-login-challenge.js';

export async function loginUser(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<LoginResult> {
  const login = validateLoginInput(input);
  const mode = login.proof ?? impliedProofMode(ctx, login);
  if (!ctx.config.proofModes[mode])
    throw new AuthError(
      'PROOF_MODE_DISABLED',
      mode === 'signature' || !ctx.config.proofModes.signature
        ? `proof mode "${mode}" is not enabled`
        : `proof mode "${mode}" is not enabled: request a challenge, sign it with the device key and send challenge_id, signature and device_id`,
    );
  requireProofFields(mode, login, request);

  await assertAddressNotLocked(ctx, request.ip);

  // The challenge is spent before anything else is checked: one attempt per challenge.
  let challenge: string | undefined;
  if (mode === 'signature') {
    const consumed = await ctx.stores.challenges.consume(login.challengeId ?? '', ctx.clock.now());
    if (!consumed.ok) throw new AuthError('CHALLENGE_INVALID');
    challenge = challengeString(ctx.config.audience, consumed.record.challengeId, consumed.record.nonce);
  }

  // Fixed order, the same work on every path: device proof, then the guess is counted, then the
  // password (a dummy verification when there is no user). A valid signature or mTLS proof counts
  // the guess against the device, so a stranger guessing passwords cannot lock its owner out.
  const user = await resolveUser(ctx, login.identifier);
  const proof = await verifyDeviceProof(ctx, user, mode, login, challenge, request);
  const deviceHeld = proof.ok && mode !== 'fingerprint' && user !== undefined;
  const keys = throttleKeys(
    ctx,
    user === undefined
      ? { kind: 'identifier', identifier: login.identifier }
      : deviceHeld && proof.ok
        ? { kind: 'device', userUuid: user.uuid, deviceId: proof.device.deviceId }
        : { kind: 'account', userUuid: user.uuid },
    request.ip,
  );
  const admission = await admitGuess(ctx, keys, { userUuid: user?.uuid, ip: request.ip, operation: 'login' });
  const password = await checkPassword(ctx, user, login.password);
  const failure: { reason: string; deviceId?: string | undefined } | undefined = !password.valid
    ? { reason: password.reason ?? 'wrong_password' }
    : !proof.ok
      ? { reason: proof.reason, deviceId: proof.deviceId ?? login.deviceId }
      : undefined;
  if (failure !== undefined || user === undefined || !proof.ok) {
    await audit(ctx, {
      type: 'login_failure',
      userUuid: user?.uuid,
      deviceId: failure?.deviceId,
      ip: request.ip,
      reason: failure?.reason ?? 'unknown',
      detail: { proof: mode },
    });
    await recordFailure(ctx, keys, {
      userUuid: user?.uuid,
      ip: request.ip,
      reason: failure?.reason ?? 'unknown',
      operation: 'login',
    });
    await trackFailureSource(ctx, { identifier: login.identifier, ip: request.ip });
    throw new AuthError('INVALID_CREDENTIALS');
  }
  const deviceId = proof.device.deviceId;

  await recordSuccess(ctx, keys, admission);
  let current = user;
  if (password.needsRehash) {
    try {
      current = await ctx.stores.users.update(
        user.uuid,
        {
          passwordHash: await withPasswordWork(() =>
            hashPassword(login.password.normalize('NFKC'), ctx.config.argon2),
          ),
        },
        user.version,
        ctx.clock.now(),
      );
    } catch (error) {
      // A concurrent login rehashed first; the old hash keeps verifying until then. A user that
      // vanished meanwhile gets no session.
      if (!(error instanceof ConflictError)) rethrowPortError(error, { notFound: 'INVALID_CREDENTIALS' });
    }
  }

  const now = ctx.clock.now();
  const familyId = ctx.random.uuid();
  const familyExpiresAt = now + ctx.config.refreshTokenTtlSeconds * 1000;
  const signed = await signPair(ctx, { user: current, deviceId, familyId, generation: 0, familyExpiresAt });
  await createFamily(ctx, {
    familyId,
    userUuid: current.uuid,
    deviceId,
    generation: 0,
    currentJti: signed.refreshJti,
    currentAccessJti: signed.accessJti,
    rotatedAt: now,
    status: 'active',
    createdAt: now,
    expiresAt: familyExpiresAt,
  });
  await audit(ctx, {
    type: 'login_success',
    userUuid: current.uuid,
    deviceId,
    ip: request.ip,
    detail: { proof: mode, sessionId: familyId, rehashed: password.needsRehash },
  });
  await alertOnNewLoginContext(ctx, { userUuid: current.uuid, deviceId, ip: request.ip });
  return { ...signed.pair, user: userSummary(ctx, current) };
}

/**
 * The proof mode of a body that names none: a body carrying only `client_cert_fp` (the original
 * clients' `{ uuid | username, password, client_cert_fp }`) is a fingerprint login, whether or not
 * that mode is enabled, so a server without it says which proof to send instead.
 */
function impliedProofMode(ctx: ServiceContext, login: ReturnType<typeof validateLoginInput>): ProofMode {
  const signatureFields =
    login.challengeId !== undefined || login.signature !== undefined || login.deviceId !== undefined;
  if (login.fingerprint !== undefined && !signatureFields) return 'fingerprint';
  return ctx.config.defaultProofMode;
}

function requireProofFields(
  mode: string,
  login: ReturnType<typeof validateLoginInput>,
  request: RequestContext,
): void {
  const missing: string[] = [];
  if (mode === 'signature') {
    if (login.challengeId === undefined) missing.push('challenge_id');
    if (login.signature === undefined) missing.push('signature');
    if (login.deviceId === undefined) missing.push('device_id');
  }
  if (mode === 'fingerprint' && login.fingerprint === undefined) missing.push('client_cert_fp');
  if (missing.length > 0) {
    throw new AuthError('VALIDATION_FAILED', `${missing.join(', ')} required for ${mode} proof`, {
      fields: missing.map((field) => ({
        field,
        code: 'REQUIRED',
        message: `${field} is required for ${mode} proof`,
      })),
    });
  }
  if (mode === 'mtls' && (request.peerCertificatePem === undefined || request.peerCertificatePem === '')) {
    throw new AuthError('CLIENT_CERTIFICATE_REQUIRED');
  }
}
