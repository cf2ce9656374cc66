/**
 * Shared machinery of the use cases: time, randomness, audit and notification helpers that
 * never fail an operation after its commit point, token issuing, sealing of grace data, the
 * failure throttle, and lookups that always scope by the user's uuid.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { CertificateAuthority } from '@city/client-cert';
import { type KeySet, signAccessToken, signRefreshToken } from '@city/jwt';
import type { FieldCipher } from '@city/ntru-keyvault';
import type {
  AuditEvent,
  Clock,
  Notification,
  Random,
  RefreshFamilyRecord,
  Stores,
  UserRecord,
} from '@city/ports';
import type { AuthConfig } from '../auth-config.js';
import type { AuthDeps } from '../auth-deps.js';
import type { TokenPair, UserSummary } from '../auth-service.js';
import { AccessCache } from './_access-cache.js';

export interface ServiceContext {
  readonly stores: Stores;
  readonly ca: CertificateAuthority;
  readonly keys: KeySet;
  readonly cipher: FieldCipher;
  readonly sealKey: Uint8Array;
  /** HMAC-SHA-256 key of the failure-counter keys (no identifier or address readable from a key). */
  readonly counterKey: Uint8Array;
  readonly config: AuthConfig;
  readonly clock: Clock;
  readonly random: Random;
  readonly onInternalError: (error: unknown, where: string) => void;
  readonly accessCache: AccessCache;
}

export function nowDate(ctx: ServiceContext): Date {
  return new Date(ctx.clock.now());
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The counter-store key part for `value` under `purpose`: HMAC-SHA-256 with the server's counter
 * key (base64url), so neither the value nor its bare hash appears in the store, and the same
 * value maps to the same key on every instance and after every restart.
 */
export function counterKeyHash(ctx: ServiceContext, purpose: string, value: string): string {
  return createHmac('sha256', ctx.counterKey).update(`${purpose}\0${value}`, 'utf8').digest('base64url');
}

/** The counter key derived from the seal key when the host gives none (HKDF-SHA-256, RFC 5869). */
export function deriveCounterKey(sealKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', sealKey, new Uint8Array(0), 'city/counter-keys/v1', 32));
}

export function randomToken(ctx: ServiceContext, bytes = 32): string {
  return Buffer.from(ctx.random.bytes(bytes)).toString('base64url');
}

/** Appends an audit event; failures are reported, never thrown (the operation already happened). */
export async function audit(
  ctx: ServiceContext,
  event: Omit<AuditEvent, 'eventId' | 'at'> & { at?: number },
): Promise<void> {
  const entry: AuditEvent = stripUndefined({
    eventId: ctx.random.uuid(),
    at: ctx.clock.now(),
    ...event,
  }) as AuditEvent;
  try {
    await ctx.stores.audit.append(entry);
  } catch (error) {
    ctx.onInternalError(error, `audit:${event.type}`);
  }
}

/** Publishes a notification; a failure never fails the operation. */
export async function notify(
  ctx: ServiceContext,
  notification: Omit<Notification, 'id' | 'at'>,
): Promise<void> {
  try {
    await ctx.stores.notifier.publish(
      stripUndefined({ id: ctx.random.uuid(), at: ctx.clock.now(), ...notification }) as Notification,
    );
  } catch (error) {
    ctx.onInternalError(error, `notify:${notification.type}`);
  }
}

/** Decrypts one PII attribute of a user, or undefined when absent. */
export function decryptField(ctx: ServiceContext, user: UserRecord, attribute: string): string | undefined {
  const ciphertext = user.encrypted[attribute];
  if (ciphertext === undefined) return undefined;
  return ctx.cipher.decrypt(ciphertext, { table: 'users', recordKey: user.uuid, attribute });
}

export function userSummary(ctx: ServiceContext, user: UserRecord): UserSummary {
  return {
    uuid: user.uuid,
    username: user.username,
    roles: [...user.roles],
    email: decryptField(ctx, user, 'email') ?? '',
    status: user.status,
    createdAt: iso(user.createdAt),
  };
}

/** A freshly signed access + refresh pair for a family at `generation`. */
export interface SignedPair {
  readonly pair: TokenPair;
  readonly accessJti: string;
  readonly refreshJti: string;
}

export async function signPair(
  ctx: ServiceContext,
  input: {
    user: UserRecord;
    deviceId: string;
    familyId: string;
    generation: number;
    familyExpiresAt: number;
  },
): Promise<SignedPair> {
  const now = ctx.clock.now();
  const base = { issuer: ctx.config.issuer, audience: ctx.config.audience, now: new Date(now) };
  const refreshTtl = Math.max(1, Math.floor((input.familyExpiresAt - now) / 1000));
  const accessTtl = Math.min(ctx.config.accessTokenTtlSeconds, refreshTtl);
  const access = await signAccessToken(
    ctx.keys,
    { sub: input.user.uuid, deviceId: input.deviceId, roles: [...input.user.roles], sid: input.familyId },
    { ...base, ttlSeconds: accessTtl },
  );
  const refresh = await signRefreshToken(
    ctx.keys,
    {
      sub: input.user.uuid,
      deviceId: input.deviceId,
      familyId: input.familyId,
      generation: input.generation,
    },
    { ...base, ttlSeconds: refreshTtl },
  );
  return {
    accessJti: access.jti,
    refreshJti: refresh.jti,
    pair: {
      tokenType: 'Bearer',
      accessToken: access.token,
      expiresIn: accessTtl,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
      sessionId: input.familyId,
      deviceId: input.deviceId,
    },
  };
}

const SEAL_VERSION = 'v1';

/** AES-256-GCM seal of a token pair, bound (AAD) to its family and generation. */
export function sealPair(ctx: ServiceContext, pair: TokenPair, familyId: string, generation: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ctx.sealKey, iv);
  cipher.setAAD(Buffer.from(`${SEAL_VERSION}|refresh-grace|${familyId}|${generation}`, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
  return `${SEAL_VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** Opens a sealed pair; undefined when it is missing, tampered with or from another family/generation. */
export function unsealPair(
  ctx: ServiceContext,
  sealed: string | undefined,
  familyId: string,
  generation: number,
): TokenPair | undefined {
  if (sealed === undefined || !sealed.startsWith(`${SEAL_VERSION}.`)) return undefined;
  try {
    const raw = Buffer.from(sealed.slice(SEAL_VERSION.length + 1), 'base64url');
    if (raw.length < 12 + 16 + 2) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', ctx.sealKey, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${SEAL_VERSION}|refresh-grace|${familyId}|${generation}`, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as TokenPair;
  } catch {
    return undefined;
  }
}

/** Revokes a family and the access token issued with its current refresh token. */
export async function revokeFamily(
  ctx: ServiceContext,
  family: RefreshFamilyRecord,
  reason: string,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.stores.refreshTokens.revoke(family.familyId, reason, now);
  if (family.currentAccessJti !== undefined) {
    await ctx.stores.revocations.revoke(
      family.currentAccessJti,
      now + ctx.config.accessTokenTtlSeconds * 1000,
    );
  }
}

export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function createServiceContext(
  deps: AuthDeps,
  config: AuthConfig,
  clock: Clock,
  random: Random,
): ServiceContext {
  return {
    stores: deps.stores,
    ca: deps.ca,
    keys: deps.keys,
    cipher: deps.fieldCipher,
    sealKey: deps.sealKey,
    counterKey: deps.counterKey ?? deriveCounterKey(deps.sealKey),
    config,
    clock,
    random,
    onInternalError: deps.onInternalError ?? (() => {}),
    accessCache: new AccessCache(config.accessCacheSize, deps.stores.authStateVersion),
  };
}
