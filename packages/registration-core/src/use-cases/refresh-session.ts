/**
 * Refresh-token rotation with proof of possession of the device key, reuse detection (RFC 9700
 * §4.14.2) and a retry grace window.
 *
 * A refresh token alone is worthless: the caller also proves it holds the key of the session's
 * device — a signature over a fresh single-use refresh challenge (`createRefreshChallenge`,
 * verified with the key of the device certificate the server holds), or a TLS client certificate
 * that is that device's current one (mTLS, when enabled). The challenge is spent before anything
 * else is checked. Without a valid proof every token — garbage, live, rotated, revoked — gets the
 * same `TOKEN_INVALID`, nothing changes, and the session's state is not revealed.
 *
 * With the proof: the current token rotates (the store's conditional rotate lets exactly one
 * concurrent caller win); the previous token presented again by the same device within
 * `refreshGraceSeconds` gets the same successor pair back (kept sealed with AES-256-GCM in the
 * family record); anything else revokes the family (so every access token of it), is audited as
 * `token_reuse` and raises a security alert.
 */
import { decideRefresh, JwtError, verifyToken } from '@city/jwt';
import { ConflictError, type RefreshFamilyRecord } from '@city/ports';
import { AuthError } from '../auth-error.js';
import type { RefreshResult, RequestContext, TokenPair } from '../auth-service.js';
import { ignoreNotFound, rethrowPortError } from '../lib/_port-errors.js';
import {
  audit,
  notify,
  nowDate,
  revokeFamily,
  type ServiceContext,
  sealPair,
  signPair,
  unsealPair,
} from '../lib/_service-context.js';
import { type RefreshProof, usableDevice, verifyRefreshProof } from '../lib/_verify-device-proof.js';
import { validateRefreshInput } from '../validation/validate-refresh-input.js';
import { refreshChallengeString } from './create-refresh-challenge.js';

export async function refreshSession(
  ctx: ServiceContext,
  input: unknown,
  request: RequestContext = {},
): Promise<RefreshResult> {
  const { token, challengeId, signature } = validateRefreshInput(input);
  const mtls =
    challengeId === undefined &&
    signature === undefined &&
    ctx.config.proofModes.mtls &&
    request.peerCertificatePem !== undefined &&
    request.peerCertificatePem !== '';
  if (!mtls) requireSignatureFields(challengeId, signature);

  // The challenge is spent before anything else is checked: one attempt per challenge.
  let proof: RefreshProof;
  if (mtls) {
    proof = { kind: 'mtls', peerCertificatePem: request.peerCertificatePem as string };
  } else {
    const consumed = await ctx.stores.challenges.consume(challengeId as string, ctx.clock.now());
    if (!consumed.ok) throw new AuthError('CHALLENGE_INVALID');
    proof = {
      kind: 'signature',
      challenge: refreshChallengeString(
        ctx.config.audience,
        consumed.record.challengeId,
        consumed.record.nonce,
      ),
      signature: signature as string,
    };
  }

  let claims: { sub: string; deviceId: string; jti: string; familyId: string; generation: number };
  try {
    const verified = await verifyToken(ctx.keys, token as string, {
      typ: 'refresh',
      issuer: ctx.config.issuer,
      audience: ctx.config.audience,
      now: nowDate(ctx),
      clockToleranceSeconds: ctx.config.clockToleranceSeconds,
      maxLifetimeSeconds: ctx.config.refreshTokenTtlSeconds,
    });
    const c = verified.claims;
    if (typeof c.familyId !== 'string' || typeof c.generation !== 'number')
      throw new AuthError('TOKEN_INVALID');
    claims = { sub: c.sub, deviceId: c.deviceId, jti: c.jti, familyId: c.familyId, generation: c.generation };
  } catch (error) {
    throw tokenError(error);
  }

  const first = await ctx.stores.refreshTokens.get(claims.familyId);
  if (first === undefined || first.userUuid !== claims.sub) throw new AuthError('TOKEN_INVALID');
  const device = await ctx.stores.devices.get(first.userUuid, first.deviceId);
  if (!(await verifyRefreshProof(ctx, device, proof))) {
    await audit(ctx, {
      type: 'security_alert',
      userUuid: first.userUuid,
      deviceId: first.deviceId,
      ip: request.ip,
      reason: 'refresh_proof_invalid',
      detail: { sessionId: first.familyId, proof: proof.kind },
    });
    throw new AuthError('TOKEN_INVALID');
  }

  for (let attempt = 0; attempt < 3; attempt++) {
    const family = attempt === 0 ? first : await ctx.stores.refreshTokens.get(claims.familyId);
    if (family === undefined || family.userUuid !== claims.sub) throw new AuthError('TOKEN_INVALID');
    const now = ctx.clock.now();
    let decision = decideRefresh(
      {
        generation: family.generation,
        status: family.status,
        rotatedAt: family.rotatedAt,
        graceUntil: family.graceUntil ?? family.rotatedAt - 1,
        deviceId: family.deviceId,
      },
      { generation: claims.generation, deviceId: claims.deviceId },
      now,
    );
    // Same generation but another token id cannot come from us; treat it as reuse.
    if (decision === 'rotate' && claims.jti !== family.currentJti) decision = 'reuse';
    if (decision === 'revoked') throw new AuthError('TOKEN_REVOKED');
    if (decision === 'reuse') return handleReuse(ctx, family, claims, request);
    if (decision === 'grace') {
      const pair = unsealPair(ctx, family.graceSealed, family.familyId, family.generation);
      if (pair === undefined) return handleReuse(ctx, family, claims, request);
      return pair;
    }
    const rotated = await rotate(ctx, family, request);
    if (rotated !== undefined) return rotated;
    // Lost the race: re-read and decide again (grace pair or reuse).
  }
  throw new AuthError('CONCURRENT_UPDATE');
}

async function rotate(
  ctx: ServiceContext,
  family: RefreshFamilyRecord,
  request: RequestContext,
): Promise<TokenPair | undefined> {
  const user = await ctx.stores.users.getByUuid(family.userUuid);
  const device = await usableDevice(ctx, await ctx.stores.devices.get(family.userUuid, family.deviceId));
  if (user === undefined || user.status !== 'active' || !device.ok) {
    await ignoreNotFound(() =>
      revokeFamily(ctx, family, user?.status === 'active' ? 'device_revoked' : 'user_disabled'),
    );
    throw new AuthError('TOKEN_REVOKED');
  }
  const generation = family.generation + 1;
  const signed = await signPair(ctx, {
    user,
    deviceId: family.deviceId,
    familyId: family.familyId,
    generation,
    familyExpiresAt: family.expiresAt,
  });
  const now = ctx.clock.now();
  const graceMs = ctx.config.refreshGraceSeconds * 1000;
  try {
    await ctx.stores.refreshTokens.rotate(family.familyId, {
      expectedGeneration: family.generation,
      generation,
      currentJti: signed.refreshJti,
      currentAccessJti: signed.accessJti,
      rotatedAt: now,
      // graceUntil < rotatedAt switches the window off (decideRefresh would otherwise default to 10 s).
      graceUntil: graceMs > 0 ? now + graceMs : now - 1,
      ...(graceMs > 0 ? { graceSealed: sealPair(ctx, signed.pair, family.familyId, generation) } : {}),
    });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    // The family expired away between the read and the rotation.
    rethrowPortError(error, { notFound: 'TOKEN_REVOKED' });
  }
  await audit(ctx, {
    type: 'token_refresh',
    userUuid: family.userUuid,
    deviceId: family.deviceId,
    ip: request.ip,
    detail: { sessionId: family.familyId, generation },
  });
  return signed.pair;
}

async function handleReuse(
  ctx: ServiceContext,
  family: RefreshFamilyRecord,
  claims: { deviceId: string; generation: number },
  request: RequestContext,
): Promise<never> {
  await ignoreNotFound(() => revokeFamily(ctx, family, 'reuse'));
  const detail = {
    sessionId: family.familyId,
    presentedGeneration: claims.generation,
    currentGeneration: family.generation,
    sameDevice: claims.deviceId === family.deviceId,
  };
  await audit(ctx, {
    type: 'token_reuse',
    userUuid: family.userUuid,
    deviceId: claims.deviceId,
    ip: request.ip,
    reason: 'refresh_token_reuse',
    detail,
  });
  await audit(ctx, {
    type: 'security_alert',
    userUuid: family.userUuid,
    deviceId: claims.deviceId,
    ip: request.ip,
    reason: 'refresh_token_reuse',
    detail,
  });
  await notify(ctx, {
    type: 'security_alert',
    userUuid: family.userUuid,
    data: { kind: 'refresh_token_reuse', ...detail },
  });
  throw new AuthError('REFRESH_TOKEN_REUSED');
}

function requireSignatureFields(challengeId: string | undefined, signature: string | undefined): void {
  const missing = [
    ...(challengeId === undefined ? ['challenge_id'] : []),
    ...(signature === undefined ? ['signature'] : []),
  ];
  if (missing.length === 0) return;
  throw new AuthError(
    'VALIDATION_FAILED',
    `${missing.join(', ')} required: a refresh proves possession of the device key`,
    {
      fields: missing.map((field) => ({
        field,
        code: 'REQUIRED',
        message: `${field} is required (sign the refresh challenge with the device key)`,
      })),
    },
  );
}

/** Maps a token verification failure to TOKEN_EXPIRED / TOKEN_REVOKED / TOKEN_INVALID. */
export function tokenError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof JwtError) {
    if (error.code === 'TOKEN_EXPIRED') return new AuthError('TOKEN_EXPIRED', undefined, { cause: error });
    if (error.code === 'TOKEN_REVOKED') return new AuthError('TOKEN_REVOKED', undefined, { cause: error });
    return new AuthError('TOKEN_INVALID', undefined, { cause: error });
  }
  throw error;
}
